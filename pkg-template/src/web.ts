// WebOAuthApp: the authorization code flow of Coze's web apps, confidential clients with a client
// secret (Node only: the secret must never reach a page). The module builds the authorize URL
// (with a fresh state), checks the callback's state in constant time, and builds the exchange and
// refresh with `Authorization: Bearer <client_secret>`; this file sends them.

import {
  type BaseAppOptions,
  baseURLOf,
  DEFAULT_TIMEOUT_MS,
  expectObject,
  expectOptions,
  fail,
  type FetchLike,
  func,
  kindOf,
  type Log,
  loggerOf,
  millis,
  nodeWasm,
  type OAuthToken,
  randomBytes,
  type RequestOptions,
  sendAndRead,
  type Signal,
  signalOf,
  string,
} from './core.js';
import type { CozeWwwBaseURL } from './constants.js';
import { type HttpRequest, readTokenResponse, type Wasm } from './seam.js';
import { type WebAppArgs, webAuthorize, webCallback, webCheckApp, webExchangeRequest, webRefreshRequest } from './seam-node.js';

/** Options of {@link WebOAuthApp}. */
export interface WebOAuthAppOptions extends BaseAppOptions {
  /** The web app's client secret. Sent only as `Authorization: Bearer …`, never in a body. */
  clientSecret: string;
  /** Base of the consent page host; default `baseURL` with `api.` replaced by `www.`. */
  wwwBaseURL?: CozeWwwBaseURL;
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
export class WebOAuthApp {
  #app: WebAppArgs; // checked by the module with every call
  #fetch: FetchLike | undefined;
  #timeoutMs: number;
  #log: Log | undefined;
  #freed = false;

  /** @throws {CozeAuthError} `invalid_argument` when an option is missing or malformed. */
  constructor(options: WebOAuthAppOptions) {
    expectOptions(options, 'WebOAuthApp', '{ clientId, clientSecret, baseURL?, … }');
    this.#app = {
      clientId: string(options, 'clientId', true),
      clientSecret: string(options, 'clientSecret', true),
      baseURL: baseURLOf(options), // else COZE_API_BASE
      wwwBaseURL: string(options, 'wwwBaseURL'),
    };
    this.#fetch = func(options, 'fetch') as FetchLike | undefined;
    this.#timeoutMs = millis(options, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
    this.#log = loggerOf(options, 'WebOAuthApp');
    webCheckApp(this.#wasm(), { app: this.#app });
  }

  #wasm(): Wasm {
    if (this.#freed) throw fail('This object was freed with free(); create a new one.');
    return nodeWasm('WebOAuthApp');
  }

  /** Sends a request the module built; the module reads the answer, scrubbing `secret` and the client secret. */
  async #token(wasm: Wasm, request: HttpRequest, signal: Signal | undefined, secret: string): Promise<OAuthToken> {
    return sendAndRead(wasm, this.#fetch, this.#timeoutMs, signal, request, readTokenResponse, { secret1: secret, secret2: this.#app.clientSecret }, this.#log);
  }

  #exchange(wasm: Wasm, code: string, redirectUri: string, signal: Signal | undefined): Promise<OAuthToken> {
    const request = webExchangeRequest(wasm, { app: this.#app, code, redirectUri });
    return this.#token(wasm, request, signal, code);
  }

  /** The authorize URL and its state: keep the state in the user's session. No network. */
  async getOAuthUrl(params: GetWebOAuthUrlParams): Promise<{ url: string; state: string }> {
    const wasm = this.#wasm();
    expectObject(params, 'params');
    const args = { app: this.#app, redirectUri: string(params, 'redirectUri', true), state: string(params, 'state'), workspaceId: string(params, 'workspaceId') };
    const { url, state } = webAuthorize(wasm, args, randomBytes());
    return { url, state };
  }

  /** Exchanges a code for a token. */
  async getAccessToken(params: GetWebAccessTokenParams): Promise<OAuthToken> {
    const wasm = this.#wasm();
    expectObject(params, 'params');
    const code = string(params, 'code', true);
    const redirectUri = string(params, 'redirectUri', true);
    return this.#exchange(wasm, code, redirectUri, signalOf(params));
  }

  /**
   * Checks the callback URL's state against `state` (constant time; `invalid_state`), turns an
   * `error=` callback into `oauth_error`, then exchanges the code.
   */
  async handleCallback(url: string, options: WebCallbackOptions): Promise<OAuthToken> {
    const wasm = this.#wasm();
    if (typeof url !== 'string') throw fail(`handleCallback needs the callback URL as a string; received ${kindOf(url)}.`);
    expectObject(options, 'options');
    const state = string(options, 'state', true);
    const redirectUri = string(options, 'redirectUri', true);
    const signal = signalOf(options);
    const { code } = webCallback(wasm, { app: this.#app, url, state });
    return this.#exchange(wasm, code, redirectUri, signal);
  }

  /** Trades a refresh token for a new token. Store the returned `refresh_token`: it may rotate. */
  async refreshAccessToken(refreshToken: string, options?: RequestOptions): Promise<OAuthToken> {
    const wasm = this.#wasm();
    expectObject(options, 'options', true);
    if (typeof refreshToken !== 'string') throw fail(`refreshToken must be a string; received ${kindOf(refreshToken)}.`);
    const request = webRefreshRequest(wasm, { app: this.#app, refreshToken });
    return this.#token(wasm, request, signalOf(options), refreshToken);
  }

  /**
   * Marks the object freed: later calls reject with a `CozeAuthError`. It holds no WebAssembly
   * memory, so this is optional. Idempotent.
   */
  free(): void {
    this.#freed = true;
  }
}
