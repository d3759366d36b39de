// Public types of `coze-auth`. Hand-written (typings first): the wasm-bindgen
// glue underneath types its arguments loosely, so these declarations are the contract.

/** Coze's China region API base: `https://api.coze.cn` (the default). */
export declare const COZE_CN_BASE_URL: "https://api.coze.cn";
/** Coze's global region API base: `https://api.coze.com`. */
export declare const COZE_COM_BASE_URL: "https://api.coze.com";

/**
 * A `fetch`-compatible function. The library calls it as `fetch(url, init)` with a string URL
 * and an init holding `method`, `headers`, `body`, `redirect: "manual"` and `signal`.
 * Pass your own to add logging, proxies or test doubles (like oauth4webapi's `customFetch`).
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Options shared by every app class. */
export interface BaseAppOptions {
  /** The OAuth app's client id, from the Coze console (OAuth apps page). Required, non-empty. */
  clientId: string;
  /**
   * API base URL, without a trailing path. Defaults to {@link COZE_CN_BASE_URL}.
   * Apps, keys and tokens belong to one region: use {@link COZE_COM_BASE_URL} for coze.com apps.
   */
  baseURL?: string;
  /** Replaces `globalThis.fetch` for every request this app makes. */
  fetch?: FetchLike;
  /** Per-request time limit in milliseconds, covering headers and body. Default 30000. */
  timeoutMs?: number;
}

/** Per-call options for anything that goes over the network. */
export interface RequestOptions {
  /** Aborts the request; the promise then rejects with a `CozeAuthError` whose code is `aborted`. */
  signal?: AbortSignal;
}

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
export type CodeChallengeMethod = "S256" | "plain";

/** Options of {@link PKCEOAuthApp}. */
export interface PKCEOAuthAppOptions extends BaseAppOptions {
  /**
   * Base of the consent page host. Defaults to `baseURL` with `api.` replaced by `www.`
   * (`https://api.coze.cn` → `https://www.coze.cn`); set it for private deployments.
   */
  wwwBaseURL?: string;
}

/** Parameters of {@link PKCEOAuthApp.getOAuthUrl}. */
export interface GetPKCEOAuthUrlParams {
  /** Where Coze sends the user back; must exactly match one registered on the app. */
  redirectUri: string;
  /** Opaque anti-CSRF value. Default: 128 random bits, base64url (22 characters). */
  state?: string;
  /** Default `S256`. With `plain`, the challenge equals the verifier. */
  codeChallengeMethod?: CodeChallengeMethod;
  /** Scope consent to one workspace (`/workspace_id/{id}/authorize`). */
  workspaceId?: string;
}

/** What {@link PKCEOAuthApp.getOAuthUrl} returns: keep `state` and `codeVerifier` until the callback. */
export interface PKCEOAuthUrl {
  /** The authorize URL on the www host; send the browser there. */
  url: string;
  /** The state sent in `url`: compare it with the callback's `state`. */
  state: string;
  /** 43 base64url characters from 32 CSPRNG bytes; needed for the code exchange. Secret. */
  codeVerifier: string;
  /** The method used for the challenge in `url`. */
  codeChallengeMethod: CodeChallengeMethod;
}

/** Parameters of {@link PKCEOAuthApp.getAccessToken}. */
export interface GetPKCEAccessTokenParams extends RequestOptions {
  /** The `code` query parameter of the callback. */
  code: string;
  /** The same redirect URI that was used in the authorize URL. */
  redirectUri: string;
  /** The verifier returned by {@link PKCEOAuthApp.getOAuthUrl}. */
  codeVerifier: string;
}

/** A `sessionStorage`-like store for pending logins. */
export interface PendingFlowStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Parameters of {@link PKCEOAuthApp.startLogin}. */
export interface StartLoginParams extends GetPKCEOAuthUrlParams {
  /** Where the pending flow is kept across the redirect. Default `globalThis.sessionStorage`. */
  storage?: PendingFlowStorage;
  /** Performs the navigation. Default `(url) => globalThis.location.assign(url)`. */
  navigate?: (url: string) => void;
}

/** Options of {@link PKCEOAuthApp.handleCallback}. */
export interface HandleCallbackOptions extends RequestOptions {
  /** The store given to {@link PKCEOAuthApp.startLogin}. Default `globalThis.sessionStorage`. */
  storage?: PendingFlowStorage;
}

/**
 * PKCE login for public clients (single-page apps, mobile, desktop): no client secret.
 *
 * ```ts
 * const app = new PKCEOAuthApp({ clientId })
 * await app.startLogin({ redirectUri: location.origin + '/callback' })
 * // …on the callback page:
 * const token = await app.handleCallback(location.href)
 * ```
 */
export declare class PKCEOAuthApp {
  /**
   * @throws {CozeAuthError} `invalid_argument` when an option is missing or has the wrong type.
   * The protocol checks of the values (an empty `clientId`, a `baseURL` that is not https) run in
   * the WebAssembly module: in Node and once the module is loaded they throw here too; in a
   * browser's very first construction they reject the first method call instead.
   */
  constructor(options: PKCEOAuthAppOptions);
  /** Builds the authorize URL with a fresh verifier (and state unless given). No network. */
  getOAuthUrl(params: GetPKCEOAuthUrlParams): Promise<PKCEOAuthUrl>;
  /** Exchanges the callback's code for a token (`POST /api/permission/oauth2/token`). */
  getAccessToken(params: GetPKCEAccessTokenParams): Promise<OAuthToken>;
  /** Trades a refresh token for a new token. Store the returned `refresh_token`: it may rotate. */
  refreshAccessToken(refreshToken: string, options?: RequestOptions): Promise<OAuthToken>;
  /**
   * Browser helper: builds the URL, stores `{state, codeVerifier, redirectUri}` in `storage`
   * keyed by state (several tabs may log in at once), then navigates.
   * Resolves with the URL and state once navigation was requested.
   */
  startLogin(params: StartLoginParams): Promise<{ url: string; state: string }>;
  /**
   * Browser helper for the redirect page: checks `state` against a stored pending flow
   * (exactly, in constant time), turns an `error=` callback into a `CozeAuthError`
   * (`oauth_error`), exchanges the code, and deletes the pending flow on success and failure.
   */
  handleCallback(url: string, options?: HandleCallbackOptions): Promise<OAuthToken>;
  /** Releases the WebAssembly memory now rather than at garbage collection. Idempotent. */
  free(): void;
}

/** Options of {@link DeviceOAuthApp}. */
export interface DeviceOAuthAppOptions extends BaseAppOptions {}

/** Parameters of {@link DeviceOAuthApp.getDeviceCode}. */
export interface GetDeviceCodeParams extends RequestOptions {
  /** Authorize for one workspace (`/workspace_id/{id}/device/code`). */
  workspaceId?: string;
}

/** What {@link DeviceOAuthApp.getDeviceCode} returns: show `user_code` and `verification_uri`. */
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

/** Parameters of {@link DeviceOAuthApp.getAccessToken}. */
export interface GetDeviceAccessTokenParams extends RequestOptions {
  /** `device_code` from {@link DeviceOAuthApp.getDeviceCode}. */
  deviceCode: string;
  /**
   * `true`: wait one interval, then poll until the user answers, the code expires, or `signal`
   * aborts (it then rejects with `aborted` at once, sleeping or mid-request).
   * `false` (default): one attempt; a user who has not answered yet gives a `CozeAuthError`
   * with code `oauth_error` and `errorCode` `authorization_pending` or `slow_down`.
   */
  poll?: boolean;
  /** Called after each pending poll, e.g. to show progress. An exception thrown here ends the flow. */
  onPending?: (info: DevicePendingInfo) => void;
}

/**
 * Device code login (RFC 8628) for CLIs, TVs and other devices without a browser of their own.
 *
 * ```ts
 * const app = new DeviceOAuthApp({ clientId })
 * const dc = await app.getDeviceCode()
 * console.log(`Open ${dc.verification_uri} and enter ${dc.user_code}`)
 * const token = await app.getAccessToken({ deviceCode: dc.device_code, poll: true })
 * ```
 *
 * Polling waits one interval before the first poll; `slow_down` adds 5 s to this and every
 * later interval; `access_denied`, `expired_token` and other errors end the flow; the flow ends
 * with `expired_token` at the code's expiry even if Coze keeps answering pending; network
 * failures, timeouts, 5xx and 429 are retried with back-off (honouring `Retry-After`), at most
 * 5 in a row. A device code not from this object polls every 5 s with a 30-minute expiry.
 *
 * Node only: in the browser build, the constructor throws `CozeAuthError` with code
 * `unsupported` (a page logs in with {@link PKCEOAuthApp}).
 */
export declare class DeviceOAuthApp {
  /** @throws {CozeAuthError} `invalid_argument` when an option is missing or malformed (see {@link PKCEOAuthApp}). */
  constructor(options: DeviceOAuthAppOptions);
  /** Asks Coze for a device code and a user code (`POST /api/permission/oauth2/device/code`). */
  getDeviceCode(params?: GetDeviceCodeParams): Promise<DeviceCode>;
  /** Polls for the token once, or until the user answers with `poll: true`. */
  getAccessToken(params: GetDeviceAccessTokenParams): Promise<OAuthToken>;
  /** Trades a refresh token for a new token. Store the returned `refresh_token`: it may rotate. */
  refreshAccessToken(refreshToken: string, options?: RequestOptions): Promise<OAuthToken>;
  /** Releases the object (further calls fail). Idempotent. */
  free(): void;
}

/** A logger for debug lines (URL, status, log id, timing; never a JWT, token or key). */
export type CozeAuthLogger =
  | ((message: string, level: "debug") => void)
  | { debug(message: string): void };

/** The optional `session_context` claim: `{device_info: {device_id, custom_consumer}}`. */
export interface JwtSessionContext {
  deviceInfo?: {
    /** `device_id`. */
    deviceId?: string;
    /** `custom_consumer`. */
    customConsumer?: string;
  };
}

/**
 * A JWT grant's `scope` (protocol §6.4), sent as it is. {@link botChatScope} builds the common one.
 */
export interface JwtScope {
  account_permission?: { permission_list: string[] };
  attribute_constraint?: { connector_bot_chat_attribute: { bot_id_list: string[] } };
  workspace_permission?: { workspace_id_list: string[]; permission_list: string[] };
  workflow_permission?: { workflow_id_list: string[]; permission_list: string[] };
}

/**
 * Options of {@link OAuthJWTFlow}. `baseURL`, `appId`, `keyid` and `privateKey` fall back to the
 * environment (an empty variable counts as unset); a missing required value throws at
 * construction, naming the option and its variables.
 */
export interface OAuthJWTFlowOptions {
  /** API base URL. Else `COZELOOP_API_BASE_URL`, `COZE_API_BASE`, then {@link COZE_CN_BASE_URL}. */
  baseURL?: string;
  /** The app ID from the Coze console (the `iss` claim). Else `COZELOOP_JWT_OAUTH_CLIENT_ID`, `COZE_JWT_OAUTH_CLIENT_ID`. */
  appId?: string;
  /** The `aud` claim. Default: the host (and port) of `baseURL`, e.g. `api.coze.cn`. */
  aud?: string;
  /** The public key's id (fingerprint) from the console (the header's `kid`). Else `COZELOOP_JWT_OAUTH_PUBLIC_KEY_ID`, `COZE_JWT_OAUTH_PUBLIC_KEY_ID`. */
  keyid?: string;
  /**
   * The RSA private key, PEM: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`);
   * surrounding whitespace, CRLF and literal `\n` escapes are fine. Parsed once, here: an unusable
   * key throws `invalid_key`. Else `COZELOOP_JWT_OAUTH_PRIVATE_KEY`, `COZE_JWT_OAUTH_PRIVATE_KEY`,
   * then the file that `COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH` names.
   */
  privateKey?: string;
  /** Only `RS256` (the default) exists for Coze. */
  algorithm?: "RS256";
  /** The `session_name` claim: isolates sub-resources (e.g. conversations) per end user. */
  sessionName?: string;
  /** The `session_context` claim. */
  sessionContext?: JwtSessionContext;
  /** Receives a debug line per request. Default: silent. */
  logger?: CozeAuthLogger;
  /** Replaces `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Per-request time limit in milliseconds. Default 30000. */
  timeoutMs?: number;
}

/** Parameters of one JWT grant. */
export interface JwtTokenParams extends RequestOptions {
  /** The token's lifetime in seconds, 1 to 86399. Default 900. Outside: `invalid_argument`, nothing sent. */
  durationSeconds?: number;
  /** Limits the token; see {@link botChatScope}. */
  scope?: JwtScope;
  /** Mint for this account (`/api/permission/oauth2/account/{id}/token`). */
  accountId?: string;
  /** Mint for this enterprise (`/api/permission/oauth2/enterprise_id/{id}/token`). Not with `accountId`. */
  enterpriseId?: string;
  /** Overrides the flow's `sessionName` for this grant. */
  sessionName?: string;
}

/** What the JWT grant returns: no refresh token (mint a new one instead). */
export interface JwtToken {
  /** The bearer token. */
  access_token: string;
  /** Absolute expiry, in Unix seconds. */
  expires_in: number;
  /** Usually `"Bearer"`. */
  token_type?: string;
}

/**
 * The JWT grant of a Coze service app, signing RS256 assertions with Node's crypto (a KeyObject made once per flow; WebCrypto where Node refuses the key).
 *
 * ```ts
 * const flow = new OAuthJWTFlow({ appId, keyid, privateKey }) // or from the environment
 * const { access_token } = await flow.getAccessToken()      // cached, renewed before expiry
 * ```
 *
 * Node only: in the browser build, the constructor throws `CozeAuthError` with code
 * `unsupported` (the private key must not reach a page).
 */
export declare class OAuthJWTFlow {
  /** @throws {CozeAuthError} `invalid_argument` (a missing or malformed option), `invalid_key` (an unusable key). */
  constructor(options?: OAuthJWTFlowOptions);
  /** Mints a new token: a fresh assertion (new `jti`), no cache. */
  getToken(params?: JwtTokenParams): Promise<JwtToken>;
  /**
   * A new signed assertion for these parameters: the RS256 JWT (compact form) that `getToken`
   * would send as `Authorization: Bearer`, for callers that send the token request themselves.
   * It is a credential: keep it out of logs. `signal` is not used (no request is made).
   */
  createAssertion(params?: JwtTokenParams): Promise<string>;
  /**
   * The cached token for these parameters (duration, scope, account or enterprise, session name)
   * until it expires within the margin (30 s for lifetimes of 10 minutes or more, 10 s from a
   * minute, 5 s from 30 s, else none), then a new one. Concurrent callers share one request; a
   * failure is not cached. `signal` stops this caller's wait only.
   */
  getAccessToken(params?: JwtTokenParams): Promise<JwtToken>;
  /** Drops the cached tokens and releases the object (further calls fail). Idempotent. */
  free(): void;
}

/** The "channel" scope: `Connector.botChat` on `botIds` (empty: not limited to bots). Node only. */
export declare function botChatScope(botIds: readonly string[]): JwtScope;

/** Options of {@link WebOAuthApp}. */
export interface WebOAuthAppOptions extends BaseAppOptions {
  /** The web app's client secret. Sent only as `Authorization: Bearer …`, never in a body. */
  clientSecret: string;
  /** Base of the consent page host; default `baseURL` with `api.` replaced by `www.`. */
  wwwBaseURL?: string;
}

/** Parameters of {@link WebOAuthApp.getOAuthUrl}. */
export interface GetWebOAuthUrlParams {
  /** Where Coze sends the user back; must exactly match one registered on the app. */
  redirectUri: string;
  /** Anti-CSRF value. Default: 128 random bits, base64url. */
  state?: string;
  /** Scope consent to one workspace. */
  workspaceId?: string;
}

/** Parameters of {@link WebOAuthApp.getAccessToken}. */
export interface GetWebAccessTokenParams extends RequestOptions {
  /** The callback's `code`. */
  code: string;
  /** The redirect URI of the authorize URL. */
  redirectUri: string;
}

/** Options of {@link WebOAuthApp.handleCallback}. */
export interface WebCallbackOptions extends RequestOptions {
  /** The state {@link WebOAuthApp.getOAuthUrl} returned, kept in the user's session. */
  state: string;
  /** The redirect URI of the authorize URL. */
  redirectUri: string;
}

/**
 * Login for web apps (confidential clients with a client secret), on your server.
 *
 * Node only: in the browser build, the constructor throws `CozeAuthError` with code `unsupported`.
 */
export declare class WebOAuthApp {
  /** @throws {CozeAuthError} `invalid_argument` when an option is missing or malformed. */
  constructor(options: WebOAuthAppOptions);
  /** The authorize URL and its state: keep the state in the user's session. No network. */
  getOAuthUrl(params: GetWebOAuthUrlParams): Promise<{ url: string; state: string }>;
  /** Exchanges a code for a token. */
  getAccessToken(params: GetWebAccessTokenParams): Promise<OAuthToken>;
  /**
   * Checks the callback URL's state against `state` (constant time; `invalid_state`), turns an
   * `error=` callback into `oauth_error`, then exchanges the code.
   */
  handleCallback(url: string, options: WebCallbackOptions): Promise<OAuthToken>;
  /** Trades a refresh token for a new token. Store the returned `refresh_token`: it may rotate. */
  refreshAccessToken(refreshToken: string, options?: RequestOptions): Promise<OAuthToken>;
  /** Releases the object (further calls fail). Idempotent. */
  free(): void;
}

/** Options of {@link TokenAuth}. */
export interface TokenAuthOptions {
  /** A personal access token (`pat_…`), a service access token, or an access token. */
  token: string;
  /**
   * Browser build only: accept a `pat_` token in a page (anyone who opens the page can read it).
   * Default false: the constructor throws `invalid_argument`.
   */
  allowPersonalAccessTokenInBrowser?: boolean;
}

/** A static bearer token for Coze's OpenAPI (both builds). */
export declare class TokenAuth {
  /** @throws {CozeAuthError} `invalid_argument`: empty, inner whitespace, or a `pat_` token in the browser build. */
  constructor(options: TokenAuthOptions);
  /** The token (trimmed). Secret. */
  readonly token: string;
  /** True for a personal access token (`pat_…`). */
  readonly isPersonalAccessToken: boolean;
  /** `Bearer <token>`, for the `Authorization` header. */
  authorizationHeader(): string;
}

/** The JSON app config of the official SDKs (`client_type`, `client_id`, …). */
export interface OAuthAppConfig {
  client_type: "pkce" | "device" | "web" | "jwt";
  client_id: string;
  /** web */
  client_secret?: string;
  /** jwt: PEM */
  private_key?: string;
  /** jwt */
  public_key_id?: string;
  coze_api_base?: string;
  coze_www_base?: string;
}

/** Options passed on to the app's constructor (the config's values win). */
export interface LoadOAuthAppOptions {
  fetch?: FetchLike;
  timeoutMs?: number;
  /** Used by a jwt app. */
  logger?: CozeAuthLogger;
}

/** Any app. */
export type OAuthApp = PKCEOAuthApp | DeviceOAuthApp | WebOAuthApp | OAuthJWTFlow;

/**
 * The app a JSON config describes (py `load_oauth_app_from_config`): `pkce` → {@link PKCEOAuthApp},
 * `device` → {@link DeviceOAuthApp}, `web` → {@link WebOAuthApp}, `jwt` → {@link OAuthJWTFlow}
 * (whose values then do not fall back to the environment; `coze_api_base` defaults to
 * {@link COZE_CN_BASE_URL}). Errors name the key, never a value.
 *
 * Node only (a config usually holds a secret): the browser build throws `unsupported`.
 */
export declare function loadOAuthApp(config: OAuthAppConfig & { client_type: "jwt" }, options?: LoadOAuthAppOptions): OAuthJWTFlow;
export declare function loadOAuthApp(config: OAuthAppConfig & { client_type: "web" }, options?: LoadOAuthAppOptions): WebOAuthApp;
export declare function loadOAuthApp(config: OAuthAppConfig & { client_type: "device" }, options?: LoadOAuthAppOptions): DeviceOAuthApp;
export declare function loadOAuthApp(config: OAuthAppConfig & { client_type: "pkce" }, options?: LoadOAuthAppOptions): PKCEOAuthApp;
export declare function loadOAuthApp(config: string | OAuthAppConfig, options?: LoadOAuthAppOptions): OAuthApp;

/** Stable machine-readable failure kinds: branch on these, not on messages. */
export type CozeAuthErrorCode =
  /** An option or parameter is missing or malformed; nothing was sent. */
  | "invalid_argument"
  /** The callback's state is missing or does not match. */
  | "invalid_state"
  /** No stored login matches the callback (already used, other tab/browser, or expired). */
  | "missing_pending_flow"
  /** Coze answered with an OAuth error (`errorCode`, `errorMessage`). */
  | "oauth_error"
  /** Coze answered with an HTTP error status and no OAuth error body. */
  | "http_error"
  /** The response could not be understood (not JSON, missing `access_token`, …). */
  | "invalid_response"
  /** No complete response within `timeoutMs`. */
  | "timeout"
  /** The caller's `AbortSignal` fired. */
  | "aborted"
  /** The request never got an HTTP response (DNS, refused, reset, CORS). */
  | "network_error"
  /** A private key that cannot be used (malformed, encrypted, not RSA, bad size); the message never quotes it. */
  | "invalid_key"
  /** This class does not run here (e.g. `DeviceOAuthApp` or `OAuthJWTFlow` in a browser build). */
  | "unsupported";

/** The one error class of this library. Messages never contain codes, verifiers, tokens or secrets. */
export declare class CozeAuthError extends Error {
  readonly name: "CozeAuthError";
  /** What went wrong, as a stable code. */
  readonly code: CozeAuthErrorCode;
  /** Coze's OAuth error code (`error_code` or `error` in the body), e.g. `access_denied`. */
  readonly errorCode?: string;
  /** Coze's human text (`error_message` or `error_description`). */
  readonly errorMessage?: string;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** Coze's `x-tt-logid` response header: quote it to Coze support. */
  readonly logId?: string;
  /** The underlying error (e.g. the fetch failure), when there is one. */
  readonly cause?: unknown;
}
