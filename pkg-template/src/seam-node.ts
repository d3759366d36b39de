// The seam's operations that only the Node build's module has (feature `node`; see seam.ts).
// Kept apart so that the browser build, which has none of them, does not ship their names.

import type { OAuthToken } from './core.js';
import type { DeviceCode, DevicePendingInfo } from './device.js';
import type { JwtScope } from './jwt.js';
import { call, type Checked, type HttpRequest, type RefreshArgs, type ResponseArgs, type Wasm } from './seam.js';

/** The operations as numbered in src/wasm/npm.rs (the shared ones: seam.ts). */
const op = {
  DEVICE_CHECK: 7,
  DEVICE_CODE: 8,
  DEVICE_CODE_READ: 9,
  DEVICE_POLL: 10,
  DEVICE_POLL_READ: 11,
  DEVICE_POLLER: 12,
  DEVICE_REFRESH: 13,
  JWT_KEY: 14,
  JWT_CHECK: 15,
  JWT_PARAMS: 16,
  JWT_SIGNING_INPUT: 17,
  JWT_REQUEST: 18,
  BOT_CHAT_SCOPE: 19,
  WEB_CHECK: 20,
  WEB_AUTHORIZE: 21,
  WEB_CALLBACK: 22,
  WEB_EXCHANGE: 23,
  WEB_REFRESH: 24,
  APP_CONFIG: 25,
} as const;

// Device code flow.

/** The options of a device app, checked by the module with every call. */
export interface DeviceAppArgs {
  clientId: string;
  baseURL?: string | undefined;
}

export interface DeviceCodeArgs extends DeviceAppArgs {
  workspaceId?: string | undefined;
}

export interface DeviceCodeResponseArgs extends ResponseArgs {
  now: number;
}

export interface DeviceRefreshArgs extends DeviceAppArgs, RefreshArgs {}

export interface DevicePollArgs extends DeviceAppArgs {
  deviceCode: string;
}

export interface DevicePollResponseArgs extends ResponseArgs {
  now: number;
  deviceCode: string;
}

/**
 * One step of the polling policy, whose state JS keeps between steps: to start, `deviceCode`
 * (with `getDeviceCode`'s `interval` and `expiresAt` when known); then the `poller` snapshot,
 * and after a poll its `response` (body as the bytes) or the transport's `failure`.
 */
export interface DevicePollStepArgs {
  deviceCode?: string | undefined;
  interval?: number | undefined;
  expiresAt?: number | undefined;
  poller?: string | undefined;
  nowMs: number;
  response?: ResponseArgs | undefined;
  failure?: { code: string; message: string } | undefined;
}

/** `{token}`, or the next step: sleep until `wait` (epoch ms) or poll now; `pending` after an unanswered poll. */
export type DevicePollStep =
  | { token: OAuthToken; poller?: undefined; wait?: undefined; pending?: undefined }
  | { token?: undefined; poller: string; wait?: number; pending?: DevicePendingInfo };

export const deviceCheckApp = (wasm: Wasm, args: DeviceAppArgs): Checked => call(wasm, op.DEVICE_CHECK, args);

export const deviceCodeRequest = (wasm: Wasm, args: DeviceCodeArgs): HttpRequest => call(wasm, op.DEVICE_CODE, args);

export const readDeviceCodeResponse = (wasm: Wasm, args: DeviceCodeResponseArgs, body: Uint8Array): DeviceCode =>
  call(wasm, op.DEVICE_CODE_READ, args, body);

export const devicePollRequest = (wasm: Wasm, args: DevicePollArgs): HttpRequest => call(wasm, op.DEVICE_POLL, args);

/** Reads one poll's answer (a user who has not answered yet is an `oauth_error`). */
export const readDevicePollResponse = (wasm: Wasm, args: DevicePollResponseArgs, body: Uint8Array): OAuthToken =>
  call(wasm, op.DEVICE_POLL_READ, args, body);

export const devicePollStep = (wasm: Wasm, args: DevicePollStepArgs, body?: Uint8Array): DevicePollStep =>
  call(wasm, op.DEVICE_POLLER, args, body);

export const deviceRefreshRequest = (wasm: Wasm, args: DeviceRefreshArgs): HttpRequest => call(wasm, op.DEVICE_REFRESH, args);

// JWT flow.

/** A JWT flow's options, checked by the module with every call. */
export interface JwtFlowArgs {
  appId: string;
  keyid: string;
  baseURL?: string | undefined;
  aud?: string | undefined;
  sessionName?: string | undefined;
  sessionContext?: { deviceInfo?: { deviceId?: string | undefined; customConsumer?: string | undefined } } | undefined;
}

/** A grant's parameters; `scope` as JSON text. */
export interface JwtParamsArgs {
  durationSeconds?: number | undefined;
  scope?: string | undefined;
  accountId?: string | undefined;
  enterpriseId?: string | undefined;
  sessionName?: string | undefined;
}

export interface JwtCheckArgs {
  flow: JwtFlowArgs;
}

export interface JwtPlanArgs {
  flow: JwtFlowArgs;
  params: JwtParamsArgs;
}

export interface JwtSigningInputArgs extends JwtPlanArgs {
  now: number;
}

export interface JwtTokenRequestArgs extends JwtPlanArgs {
  /** The signed assertion. */
  jwt: string;
}

export interface JwtPrivateKeyResult {
  /** PKCS#8 DER, base64url. */
  der: string;
}

export interface JwtPlanResult {
  cacheKey: string;
  marginSeconds: number;
}

export interface JwtSigningInputResult {
  signingInput: string;
}

export interface JwtTokenRequestResult {
  request: HttpRequest;
}

export interface BotChatScopeArgs {
  /** Checked by the module: an array of strings. */
  botIds: unknown;
}

/** PEM text (as bytes, whatever PEM) → the key as PKCS#8 DER, base64url. */
export const jwtPrivateKey = (wasm: Wasm, pem: Uint8Array): JwtPrivateKeyResult => call(wasm, op.JWT_KEY, {}, pem);

export const jwtCheckFlow = (wasm: Wasm, args: JwtCheckArgs): Checked => call(wasm, op.JWT_CHECK, args);

/** Checks a grant's parameters: tokens of one `cacheKey` are interchangeable, replaced `marginSeconds` before they expire. */
export const jwtPlan = (wasm: Wasm, args: JwtPlanArgs): JwtPlanResult => call(wasm, op.JWT_PARAMS, args);

/** A new assertion's signing input issued at `now`, its `jti` from `random`. */
export const jwtSigningInput = (wasm: Wasm, args: JwtSigningInputArgs, random: Uint8Array): JwtSigningInputResult =>
  call(wasm, op.JWT_SIGNING_INPUT, args, random);

export const jwtTokenRequest = (wasm: Wasm, args: JwtTokenRequestArgs): JwtTokenRequestResult => call(wasm, op.JWT_REQUEST, args);

/** The module's `botChatScope` (named apart from the public function that calls it). */
export const botChatScopeOp = (wasm: Wasm, args: BotChatScopeArgs): JwtScope => call(wasm, op.BOT_CHAT_SCOPE, args);

// Web app.

/** A web app's options, checked by the module with every call. */
export interface WebAppArgs {
  clientId: string;
  clientSecret: string;
  baseURL?: string | undefined;
  wwwBaseURL?: string | undefined;
}

export interface WebAuthorizeArgs extends WebAppArgs {
  redirectUri: string;
  state?: string | undefined;
  workspaceId?: string | undefined;
}

export interface WebCallbackArgs extends WebAppArgs {
  url: string;
  /** The login's state, compared in constant time with the callback's. */
  state: string;
}

export interface WebExchangeArgs extends WebAppArgs {
  code: string;
  redirectUri: string;
}

export interface WebRefreshArgs extends WebAppArgs, RefreshArgs {}

export interface WebAuthorizeResult {
  url: string;
  state: string;
}

export interface WebCallbackResult {
  code: string;
}

export const webCheckApp = (wasm: Wasm, args: WebAppArgs): Checked => call(wasm, op.WEB_CHECK, args);

/** The authorize URL and its state (given, else drawn from `random`). */
export const webAuthorize = (wasm: Wasm, args: WebAuthorizeArgs, random: Uint8Array): WebAuthorizeResult =>
  call(wasm, op.WEB_AUTHORIZE, args, random);

export const webCallback = (wasm: Wasm, args: WebCallbackArgs): WebCallbackResult => call(wasm, op.WEB_CALLBACK, args);

export const webExchangeRequest = (wasm: Wasm, args: WebExchangeArgs): HttpRequest => call(wasm, op.WEB_EXCHANGE, args);

export const webRefreshRequest = (wasm: Wasm, args: WebRefreshArgs): HttpRequest => call(wasm, op.WEB_REFRESH, args);

// App config.

/** A JSON app config, read strictly (its errors never quote a value). */
export type AppConfig =
  | { clientType: 'pkce' | 'device'; clientId: string; baseURL?: string; wwwBaseURL?: string }
  | { clientType: 'web'; clientId: string; clientSecret: string; baseURL?: string; wwwBaseURL?: string }
  | { clientType: 'jwt'; clientId: string; privateKey: string; publicKeyId: string; baseURL?: string };

/** The config text, as bytes. */
export const readAppConfig = (wasm: Wasm, text: Uint8Array): AppConfig => call(wasm, op.APP_CONFIG, {}, text);
