// The seam between the JS layer and the WebAssembly module (src/wasm/npm.rs): every call into
// the module goes through one typed function per operation, here for the operations both
// builds have and in seam-node.ts for the Node build's. Only these two files know how an
// operation reaches the module (today `run(op, argsJson, bytes)` with the numbers below, through
// `call`); the rest of the JS layer sees plain typed functions.

import { CozeAuthError, type CozeAuthErrorCode } from './error.js';
import type { OAuthToken } from './core.js';
import type { CodeChallengeMethod } from './pkce.js';

/** The loaded module as both loaders hand it over (wasm.ts, wasm-node.cts). */
export interface Wasm {
  run(op: number, args: Uint8Array, bytes: Uint8Array): Uint8Array;
}

/** A request the module built, for the JS layer to send as it is. */
export interface HttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * What the module reads of a response (its body goes as the bytes): `status` (0: an opaque
 * redirect), the `x-tt-logid` and `Retry-After` headers, and `tooLarge` when the declared length
 * was over the limit and the body was not read.
 */
export interface ResponseArgs {
  status: number;
  logId?: string | undefined;
  retryAfter?: string | undefined;
  tooLarge?: true | undefined;
}

/** The options of a PKCE app, checked by the module with every call. */
export interface PkceAppArgs {
  clientId: string;
  baseURL?: string | undefined;
  wwwBaseURL?: string | undefined;
}

/** An authorize URL's parameters; with `loginNow` (Unix seconds), also the pending login to store. */
export interface PkceAuthorizeArgs extends PkceAppArgs {
  redirectUri: string;
  state?: string | undefined;
  codeChallengeMethod?: string | undefined;
  workspaceId?: string | undefined;
  loginNow?: number | undefined;
}

export interface PkceAuthorizeResult {
  url: string;
  state: string;
  codeVerifier: string;
  codeChallengeMethod: CodeChallengeMethod;
  /** With `loginNow`: the pending login's storage key and value. */
  key?: string;
  value?: string;
}

export interface PkceExchangeArgs extends PkceAppArgs {
  code: string;
  redirectUri: string;
  codeVerifier: string;
}

export interface RefreshArgs {
  refreshToken: string;
}

export interface PkceRefreshArgs extends PkceAppArgs, RefreshArgs {}

/** A token response to read at `now` (Unix seconds); `secret1`/`secret2`, the values sent, are scrubbed from server text. */
export interface TokenResponseArgs extends ResponseArgs {
  now: number;
  secret1?: string | undefined;
  secret2?: string | undefined;
}

export interface PendingLoginKeyArgs {
  url: string;
}

export interface TakePendingLoginArgs {
  url: string;
  /** The stored pending login, if any. */
  stored?: string | undefined;
  now: number;
}

export interface PendingLoginKeyResult {
  key: string;
}

export interface PendingLogin {
  code: string;
  redirectUri: string;
  codeVerifier: string;
}

/** An operation with nothing to answer but success: `{}`. */
export type Checked = Record<string, never>;

/** The operations as numbered in src/wasm/npm.rs (the Node build's: seam-node.ts). */
const op = {
  CHECK: 0,
  AUTHORIZE: 1,
  EXCHANGE: 2,
  REFRESH: 3,
  TOKEN: 4,
  CALLBACK_KEY: 5,
  TAKE_CALLBACK: 6,
} as const;

// Typed structurally so that the declarations need no DOM lib.
export const encoder: { encode(input: string): Uint8Array<ArrayBuffer> } = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Runs one operation of the module: `args` go as JSON, `bytes` as they are; the answer is the
 * result, or the CozeAuthError it stands for (thrown). The result type is the operation's, as
 * its Rust side writes it.
 */
export function call<Result>(wasm: Wasm, operation: number, args: object, bytes: Uint8Array = new Uint8Array(0)): Result {
  const r = JSON.parse(decoder.decode(wasm.run(operation, encoder.encode(JSON.stringify(args)), bytes)));
  if (r.error) {
    const { message, ...details } = r.error as { message: string; code: CozeAuthErrorCode };
    throw new CozeAuthError(message, details);
  }
  return r;
}

/** Checks a PKCE app's options. */
export const pkceCheckApp = (wasm: Wasm, args: PkceAppArgs): Checked => call(wasm, op.CHECK, args);

/** The authorize URL with a fresh verifier and state drawn from `random` (48 CSPRNG bytes). */
export const pkceAuthorize = (wasm: Wasm, args: PkceAuthorizeArgs, random: Uint8Array): PkceAuthorizeResult => call(wasm, op.AUTHORIZE, args, random);

/** The code exchange's token request. */
export const pkceExchangeRequest = (wasm: Wasm, args: PkceExchangeArgs): HttpRequest => call(wasm, op.EXCHANGE, args);

/** The refresh grant's token request. */
export const pkceRefreshRequest = (wasm: Wasm, args: PkceRefreshArgs): HttpRequest => call(wasm, op.REFRESH, args);

/** Reads the answer to any token request (PKCE, device refresh, JWT, web). */
export const readTokenResponse = (wasm: Wasm, args: TokenResponseArgs, body: Uint8Array): OAuthToken => call(wasm, op.TOKEN, args, body);

/** The storage key of the pending login a callback URL belongs to (by its state). */
export const pendingLoginKey = (wasm: Wasm, args: PendingLoginKeyArgs): PendingLoginKeyResult => call(wasm, op.CALLBACK_KEY, args);

/** Checks a callback URL against its stored pending login (constant time) and answers what to exchange. */
export const takePendingLogin = (wasm: Wasm, args: TakePendingLoginArgs): PendingLogin => call(wasm, op.TAKE_CALLBACK, args);
