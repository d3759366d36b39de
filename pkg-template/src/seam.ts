// The seam between the JS layer and the WebAssembly module (src/seam/ in the crate): every call
// into the module goes through one typed function per operation, here for the operations both
// builds have and in seam-node.ts for the Node build's. Each calls the module's export of the
// same name with its arguments as JSON and its bytes (a response body, random bytes, a PEM); the
// export answers the result as JSON, or the error it stands for. The Rust side reads the
// arguments strictly (a missing or unknown key is an error naming it), and
// tests/package/seam/contract.test.mjs holds these types, the Rust declarations and the built modules'
// exports together.

import { CozeAuthError, type CozeAuthErrorCode } from './error.js';

/**
 * A Coze OAuth token, with Coze's wire names so code written for the official SDKs keeps working.
 */
export interface OAuthToken {
  /** The bearer token for `Authorization: Bearer …` on OpenAPI calls. */
  access_token: string;
  /** Absolute expiry, in Unix seconds (Coze sends a timestamp here, not a lifetime). */
  expires_in: number;
  /** Present for the code, PKCE, device and refresh grants. May rotate: store the newest. */
  refresh_token?: string;
  /** Usually `"Bearer"`; Coze may omit it. */
  token_type?: string;
}

/** `S256` (default, recommended) or `plain` (only for servers that cannot hash). */
export type CodeChallengeMethod = 'S256' | 'plain';

/**
 * One export of the module: the arguments as JSON text and the operation's bytes in, JSON text
 * out (text both ways: the answer is decoded where it lies in the module's memory).
 */
export type Export = (args: string, bytes: Uint8Array) => string;

/** The loaded module as both loaders hand it over (wasm.ts, wasm-node.cts): its exports by name. */
export interface Wasm {
  pkceCheckApp: Export;
  pkceAuthorize: Export;
  pkceExchangeRequest: Export;
  pkceRefreshRequest: Export;
  readTokenResponse: Export;
  pendingLoginKey: Export;
  takePendingLogin: Export;
  pendingLoginExpired: Export;
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

/** Only the app, whose options are checked. */
export interface PkceCheckArgs {
  app: PkceAppArgs;
}

/** An authorize URL's parameters; with `loginNow` (Unix seconds), also the pending login to store. */
export interface PkceAuthorizeArgs {
  app: PkceAppArgs;
  redirectUri: string;
  state?: string | undefined;
  codeChallengeMethod?: string | undefined;
  workspaceId?: string | undefined;
  codeVerifier?: string | undefined;
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

export interface PkceExchangeArgs {
  app: PkceAppArgs;
  code: string;
  redirectUri: string;
  codeVerifier: string;
}

export interface RefreshArgs {
  refreshToken: string;
}

export interface PkceRefreshArgs extends RefreshArgs {
  app: PkceAppArgs;
}

/** What the reader of an answer gets besides its own arguments: the response, and when it was read (Unix seconds). */
export interface ReadArgs {
  response: ResponseArgs;
  now: number;
}

/** A token response to read; `secret1`/`secret2`, the values sent, are scrubbed from server text. */
export interface TokenResponseArgs extends ReadArgs {
  secret1?: string | undefined;
  secret2?: string | undefined;
}

export interface PendingLoginKeyArgs {
  url: string;
}

export interface TakePendingLoginArgs {
  /** The app handling the callback: a login another app started is refused. */
  app: PkceAppArgs;
  url: string;
  /** The stored pending login, if any. */
  stored?: string | undefined;
  now: number;
}

/** A pending login found in a store (under the prefix of the keys of pending logins). */
export interface PendingLoginExpiredArgs {
  stored: string;
  now: number;
}

export interface PendingLoginExpiredResult {
  /** It can never be used any more (over an hour old, or unreadable): remove it. */
  expired: boolean;
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

// Typed structurally so that the declarations need no DOM lib.
export const encoder: { encode(input: string): Uint8Array<ArrayBuffer> } = new TextEncoder();

const NO_BYTES = new Uint8Array(0);

/**
 * Calls one export of the module: `args` go as JSON, `bytes` as they are; the answer is the
 * result, or the CozeAuthError it stands for (thrown). The result type is the operation's, as
 * its Rust side writes it.
 */
export function call<Result>(operation: Export, args: object, bytes: Uint8Array = NO_BYTES): Result {
  let r;
  try {
    r = JSON.parse(operation(JSON.stringify(args), bytes));
  } catch (cause) {
    // A trap (WebAssembly.RuntimeError: out of memory, a bug) or any other failure of the call:
    // the loader has dropped that instance already, and the next call gets a fresh one.
    if (cause instanceof CozeAuthError) throw cause;
    throw new CozeAuthError(
      'The coze-auth WebAssembly module failed (see `cause`; out of memory, or a bug to report). It was discarded: the next call starts a fresh one.',
      { code: 'internal', cause },
    );
  }
  if (r.error) {
    const { message, ...details } = r.error as { message: string; code: CozeAuthErrorCode };
    throw new CozeAuthError(message, details);
  }
  return r;
}

/** Checks a PKCE app's options. */
export const pkceCheckApp = (wasm: Wasm, args: PkceCheckArgs): Checked => call(wasm.pkceCheckApp, args);

/** The authorize URL with a fresh verifier and state drawn from `random` (48 CSPRNG bytes). */
export const pkceAuthorize = (wasm: Wasm, args: PkceAuthorizeArgs, random: Uint8Array): PkceAuthorizeResult => call(wasm.pkceAuthorize, args, random);

/** The code exchange's token request. */
export const pkceExchangeRequest = (wasm: Wasm, args: PkceExchangeArgs): HttpRequest => call(wasm.pkceExchangeRequest, args);

/** The refresh grant's token request. */
export const pkceRefreshRequest = (wasm: Wasm, args: PkceRefreshArgs): HttpRequest => call(wasm.pkceRefreshRequest, args);

/** Reads the answer to any token request (PKCE, device refresh, JWT, web). */
export const readTokenResponse = (wasm: Wasm, args: TokenResponseArgs, body: Uint8Array): OAuthToken => call(wasm.readTokenResponse, args, body);

/** The storage key of the pending login a callback URL belongs to (by its state). */
export const pendingLoginKey = (wasm: Wasm, args: PendingLoginKeyArgs): PendingLoginKeyResult => call(wasm.pendingLoginKey, args);

/** Checks a callback URL against its stored pending login (constant time) and answers what to exchange. */
export const takePendingLogin = (wasm: Wasm, args: TakePendingLoginArgs): PendingLogin => call(wasm.takePendingLogin, args);

/** Whether a stored pending login has expired (startLogin removes abandoned logins). */
export const pendingLoginExpired = (wasm: Wasm, args: PendingLoginExpiredArgs): PendingLoginExpiredResult => call(wasm.pendingLoginExpired, args);
