// The seam's operations that only the Node build's module has (feature `node`; see seam.ts).
// Kept apart so that the browser build, which has none of them, does not ship their names.

import { call, type Checked, type Export, type HttpRequest, type OAuthToken, type ReadArgs, type RefreshArgs, type ResponseArgs, type Wasm } from './seam.js';

/** What `DeviceOAuthApp.getDeviceCode` returns: show `user_code` and `verification_uri`. */
export interface DeviceCode {
  /** The code to poll with. Secret: never show it. */
  device_code: string;
  /** The short code the user types on the verification page. */
  user_code: string;
  /** The page where the user enters `user_code`. */
  verification_uri: string;
  /** `verification_uri` with `?user_code=…` (form-encoded) added: a link or QR code that fills the code in. */
  verification_url: string;
  /**
   * When the device code expires, in Unix seconds (whether Coze sent a lifetime or a
   * timestamp; the same convention as {@link OAuthToken.expires_in}).
   */
  expires_in: number;
  /** Seconds to wait between polls; 5 when Coze sends none. */
  interval: number;
}

/** What `onPending` receives after each poll the user has not answered yet. */
export interface DevicePendingInfo {
  /** Polls sent so far, from 1. */
  attempt: number;
  /** Seconds until the next poll (raised by 5 for each `slow_down`). */
  interval: number;
  /** When the device code expires, in Unix seconds. */
  expiresAt: number;
  /** True when this answer was `slow_down`. */
  slowDown: boolean;
}

/**
 * A JWT grant's `scope` (protocol §6.4), sent as it is. `botChatScope` builds the common one.
 */
export interface JwtScope {
  account_permission?: { permission_list: string[] };
  attribute_constraint?: { connector_bot_chat_attribute: { bot_id_list: string[] } };
  workspace_permission?: { workspace_id_list: string[]; permission_list: string[] };
  workflow_permission?: { workflow_id_list: string[]; permission_list: string[] };
}

/** The Node build's module: the exports of seam.ts and these (the Node-only classes run only there). */
export interface NodeWasm extends Wasm {
  deviceCheckApp: Export;
  deviceCodeRequest: Export;
  readDeviceCodeResponse: Export;
  devicePollRequest: Export;
  readDevicePollResponse: Export;
  devicePollStep: Export;
  deviceRefreshRequest: Export;
  jwtPrivateKey: Export;
  jwtCheckFlow: Export;
  jwtPlan: Export;
  jwtAssertion: Export;
  botChatScope: Export;
  webCheckApp: Export;
  webAuthorize: Export;
  webCallback: Export;
  webExchangeRequest: Export;
  webRefreshRequest: Export;
  readAppConfig: Export;
}

/** The module of the Node build, where the Node-only classes run. */
const node = (wasm: Wasm): NodeWasm => wasm as NodeWasm;

// Device code flow.

/** The options of a device app, checked by the module with every call. */
export interface DeviceAppArgs {
  clientId: string;
  baseURL?: string | undefined;
}

export interface DeviceCheckArgs {
  app: DeviceAppArgs;
}

export interface DeviceCodeArgs {
  app: DeviceAppArgs;
  workspaceId?: string | undefined;
}

export type DeviceCodeResponseArgs = ReadArgs;

export interface DeviceRefreshArgs extends RefreshArgs {
  app: DeviceAppArgs;
}

export interface DevicePollArgs {
  app: DeviceAppArgs;
  deviceCode: string;
}

export interface DevicePollResponseArgs extends ReadArgs {
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

export const deviceCheckApp = (wasm: Wasm, args: DeviceCheckArgs): Checked => call(node(wasm).deviceCheckApp, args);

export const deviceCodeRequest = (wasm: Wasm, args: DeviceCodeArgs): HttpRequest => call(node(wasm).deviceCodeRequest, args);

export const readDeviceCodeResponse = (wasm: Wasm, args: DeviceCodeResponseArgs, body: Uint8Array): DeviceCode =>
  call(node(wasm).readDeviceCodeResponse, args, body);

export const devicePollRequest = (wasm: Wasm, args: DevicePollArgs): HttpRequest => call(node(wasm).devicePollRequest, args);

/** Reads one poll's answer (a user who has not answered yet is an `oauth_error`). */
export const readDevicePollResponse = (wasm: Wasm, args: DevicePollResponseArgs, body: Uint8Array): OAuthToken =>
  call(node(wasm).readDevicePollResponse, args, body);

export const devicePollStep = (wasm: Wasm, args: DevicePollStepArgs, body?: Uint8Array): DevicePollStep =>
  call(node(wasm).devicePollStep, args, body);

export const deviceRefreshRequest = (wasm: Wasm, args: DeviceRefreshArgs): HttpRequest => call(node(wasm).deviceRefreshRequest, args);

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

export interface JwtAssertionArgs extends JwtPlanArgs {
  now: number;
}

export interface JwtPrivateKeyResult {
  /** PKCS#8 DER, base64url. */
  der: string;
}

export interface JwtPlanResult {
  cacheKey: string;
  marginSeconds: number;
}

export interface JwtAssertionResult {
  /** What to sign: `base64url(header).base64url(claims)`. */
  signingInput: string;
  /**
   * The token request that sends the assertion, built for the signing input: its
   * `authorization` header is `Bearer <signingInput>`, to which `.` and the signature
   * (base64url) are appended.
   */
  request: HttpRequest;
}

export interface BotChatScopeArgs {
  /** Checked by the module: an array of strings. */
  botIds: readonly string[];
  /** What the scope allows on them; default `Connector.botChat`. */
  permissions?: readonly string[] | undefined;
}

/** PEM text (as bytes, whatever PEM) → the key as PKCS#8 DER, base64url. */
export const jwtPrivateKey = (wasm: Wasm, pem: Uint8Array): JwtPrivateKeyResult => call(node(wasm).jwtPrivateKey, {}, pem);

export const jwtCheckFlow = (wasm: Wasm, args: JwtCheckArgs): Checked => call(node(wasm).jwtCheckFlow, args);

/** Checks a grant's parameters: tokens of one `cacheKey` are interchangeable, replaced `marginSeconds` before they expire. */
export const jwtPlan = (wasm: Wasm, args: JwtPlanArgs): JwtPlanResult => call(node(wasm).jwtPlan, args);

/** A new assertion issued at `now` (its `jti` from `random`): its signing input, and its token request but for the signature. */
export const jwtAssertion = (wasm: Wasm, args: JwtAssertionArgs, random: Uint8Array): JwtAssertionResult => call(node(wasm).jwtAssertion, args, random);

/** The module's `botChatScope` (named apart from the public function that calls it). */
export const botChatScopeOp = (wasm: Wasm, args: BotChatScopeArgs): JwtScope => call(node(wasm).botChatScope, args);

// Web app.

/** A web app's options, checked by the module with every call. */
export interface WebAppArgs {
  clientId: string;
  clientSecret: string;
  baseURL?: string | undefined;
  wwwBaseURL?: string | undefined;
}

export interface WebCheckArgs {
  app: WebAppArgs;
}

export interface WebAuthorizeArgs {
  app: WebAppArgs;
  redirectUri: string;
  state?: string | undefined;
  workspaceId?: string | undefined;
}

export interface WebCallbackArgs {
  app: WebAppArgs;
  url: string;
  /** The login's state, compared in constant time with the callback's. */
  state: string;
}

export interface WebExchangeArgs {
  app: WebAppArgs;
  code: string;
  redirectUri: string;
}

export interface WebRefreshArgs extends RefreshArgs {
  app: WebAppArgs;
}

export interface WebAuthorizeResult {
  url: string;
  state: string;
}

export interface WebCallbackResult {
  code: string;
}

export const webCheckApp = (wasm: Wasm, args: WebCheckArgs): Checked => call(node(wasm).webCheckApp, args);

/** The authorize URL and its state (given, else drawn from `random`). */
export const webAuthorize = (wasm: Wasm, args: WebAuthorizeArgs, random: Uint8Array): WebAuthorizeResult =>
  call(node(wasm).webAuthorize, args, random);

export const webCallback = (wasm: Wasm, args: WebCallbackArgs): WebCallbackResult => call(node(wasm).webCallback, args);

export const webExchangeRequest = (wasm: Wasm, args: WebExchangeArgs): HttpRequest => call(node(wasm).webExchangeRequest, args);

export const webRefreshRequest = (wasm: Wasm, args: WebRefreshArgs): HttpRequest => call(node(wasm).webRefreshRequest, args);

// App config.

/** A JSON app config, read strictly (its errors never quote a value). */
export type AppConfig =
  | { clientType: 'pkce' | 'device'; clientId: string; baseURL?: string; wwwBaseURL?: string }
  | { clientType: 'web'; clientId: string; clientSecret: string; baseURL?: string; wwwBaseURL?: string }
  | { clientType: 'jwt'; clientId: string; privateKey: string; publicKeyId: string; baseURL?: string };

/** The config text, as bytes. */
export const readAppConfig = (wasm: Wasm, text: Uint8Array): AppConfig => call(node(wasm).readAppConfig, {}, text);
