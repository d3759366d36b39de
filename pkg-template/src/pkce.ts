// PKCEOAuthApp: PKCE login for public clients (single-page apps, mobile, desktop).

import {
  type BaseAppOptions,
  DEFAULT_TIMEOUT_MS,
  expectObject,
  fail,
  type FetchLike,
  func,
  get,
  loadedWasm,
  loadWasm,
  millis,
  nowSeconds,
  type OAuthToken,
  type PendingFlowStorage,
  randomBytes,
  type RequestOptions,
  sendAndRead,
  type Signal,
  signalOf,
  storageCall,
  storageOf,
  string,
} from './core.js';
import {
  type CodeChallengeMethod,
  type HttpRequest,
  pendingLoginKey,
  type PkceAppArgs,
  pkceAuthorize,
  type PkceAuthorizeResult,
  pkceCheckApp,
  pkceExchangeRequest,
  pkceRefreshRequest,
  readTokenResponse,
  takePendingLogin,
  type Wasm,
} from './seam.js';
import type { CozeWwwBaseURL } from './constants.js';

export type { CodeChallengeMethod } from './seam.js';

/** Options of {@link PKCEOAuthApp}. */
export interface PKCEOAuthAppOptions extends BaseAppOptions {
  /**
   * Base of the consent page host. Defaults to `baseURL` with `api.` replaced by `www.`
   * (`https://api.coze.cn` → `https://www.coze.cn`); set it for private deployments.
   */
  wwwBaseURL?: CozeWwwBaseURL;
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
  /**
   * A code verifier of your own (RFC 7636: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`),
   * instead of a fresh one from 32 CSPRNG bytes. Keep it secret.
   */
  codeVerifier?: string;
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
export class PKCEOAuthApp {
  #app: PkceAppArgs; // checked by the module with every call
  #fetch: FetchLike | undefined;
  #timeoutMs: number;
  #freed = false;
  #checked = false;

  /**
   * @throws {CozeAuthError} `invalid_argument` when an option is missing or has the wrong type.
   * The protocol checks of the values (an empty `clientId`, a `baseURL` that is not https) run in
   * the WebAssembly module: in Node and once the module is loaded they throw here too; in a
   * browser's very first construction they reject the first method call instead.
   */
  constructor(options: PKCEOAuthAppOptions) {
    expectObject(options, 'options');
    this.#app = { clientId: string(options, 'clientId', true), baseURL: string(options, 'baseURL'), wwwBaseURL: string(options, 'wwwBaseURL') };
    this.#fetch = func(options, 'fetch') as FetchLike | undefined;
    this.#timeoutMs = millis(options, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
    const wasm = loadedWasm();
    if (wasm) this.#check(wasm); // option errors throw here, synchronously
  }

  /** The app's client id. A session (`createSession`) keys its storage with it. */
  get clientId(): string {
    return this.#app.clientId;
  }

  #check(wasm: Wasm): Wasm {
    if (!this.#checked) pkceCheckApp(wasm, { app: this.#app });
    this.#checked = true;
    return wasm;
  }

  async #wasm(): Promise<Wasm> {
    if (this.#freed) throw fail('This object was freed with free(); create a new one.');
    return this.#check(await loadWasm()); // a browser's first use: the options are checked now
  }

  #authorize(wasm: Wasm, params: unknown, loginNow?: number): PkceAuthorizeResult {
    expectObject(params, 'params');
    return pkceAuthorize(
      wasm,
      {
        app: this.#app,
        redirectUri: string(params, 'redirectUri', true),
        state: string(params, 'state'),
        codeChallengeMethod: string(params, 'codeChallengeMethod'),
        workspaceId: string(params, 'workspaceId'),
        codeVerifier: string(params, 'codeVerifier'),
        loginNow,
      },
      randomBytes(),
    );
  }

  /** Sends a request the module built, and has the module read the answer. */
  async #token(wasm: Wasm, request: HttpRequest, signal: Signal | undefined, secret1: string, secret2?: string): Promise<OAuthToken> {
    return sendAndRead(wasm, this.#fetch, this.#timeoutMs, signal, request, readTokenResponse, { secret1, secret2 });
  }

  #exchange(wasm: Wasm, code: string, redirectUri: string, codeVerifier: string, signal: Signal | undefined): Promise<OAuthToken> {
    const request = pkceExchangeRequest(wasm, { app: this.#app, code, redirectUri, codeVerifier });
    return this.#token(wasm, request, signal, code, codeVerifier);
  }

  /** Builds the authorize URL with a fresh verifier (and state unless given). No network. */
  async getOAuthUrl(params: GetPKCEOAuthUrlParams): Promise<PKCEOAuthUrl> {
    const { url, state, codeVerifier, codeChallengeMethod } = this.#authorize(await this.#wasm(), params);
    return { url, state, codeVerifier, codeChallengeMethod };
  }

  /** Exchanges the callback's code for a token (`POST /api/permission/oauth2/token`). */
  async getAccessToken(params: GetPKCEAccessTokenParams): Promise<OAuthToken> {
    const wasm = await this.#wasm();
    expectObject(params, 'params');
    const code = string(params, 'code', true);
    const redirectUri = string(params, 'redirectUri', true);
    const codeVerifier = string(params, 'codeVerifier', true);
    return this.#exchange(wasm, code, redirectUri, codeVerifier, signalOf(params));
  }

  /** Trades a refresh token for a new token. Store the returned `refresh_token`: it may rotate. */
  async refreshAccessToken(refreshToken: string, options?: RequestOptions): Promise<OAuthToken> {
    const wasm = await this.#wasm();
    expectObject(options, 'options', true);
    if (typeof refreshToken !== 'string') throw fail('refreshToken must be a string.');
    const signal = signalOf(options);
    return this.#token(wasm, pkceRefreshRequest(wasm, { app: this.#app, refreshToken }), signal, refreshToken);
  }

  /**
   * Browser helper: builds the URL, stores `{state, codeVerifier, redirectUri}` in `storage`
   * keyed by state (several tabs may log in at once), then navigates.
   * Resolves with the URL and state once navigation was requested.
   */
  async startLogin(params: StartLoginParams): Promise<{ url: string; state: string }> {
    const wasm = await this.#wasm();
    expectObject(params, 'params');
    const navigate = func(params, 'navigate') as ((url: string) => void) | undefined;
    const store = storageOf(params);
    // With `loginNow`, the module answers the pending login's `key` and `value` too.
    const auth = this.#authorize(wasm, params, nowSeconds()) as Required<PkceAuthorizeResult>;
    storageCall(store, 'setItem', 'save', auth.key, auth.value);
    if (navigate) {
      navigate(auth.url);
    } else {
      const location = get(globalThis, 'location');
      const assign = get(location, 'assign');
      if (typeof assign !== 'function') {
        throw fail('There is no location to navigate (not a browser page): pass `navigate`.');
      }
      assign.call(location, auth.url);
    }
    return { url: auth.url, state: auth.state };
  }

  /**
   * Browser helper for the redirect page: checks `state` against a stored pending flow
   * (exactly, in constant time), turns an `error=` callback into a `CozeAuthError`
   * (`oauth_error`), exchanges the code, and deletes the pending flow on success and failure.
   */
  async handleCallback(url: string, options?: HandleCallbackOptions): Promise<OAuthToken> {
    const wasm = await this.#wasm();
    expectObject(options, 'options', true);
    if (typeof url !== 'string') throw fail('handleCallback needs the callback URL (location.href) as a string.');
    const store = storageOf(options);
    const signal = signalOf(options);
    const { key } = pendingLoginKey(wasm, { url });
    const stored = storageCall(store, 'getItem', 'read', key);
    storageCall(store, 'removeItem', 'delete', key);
    const flow = takePendingLogin(wasm, { app: this.#app, url, stored: typeof stored === 'string' ? stored : undefined, now: nowSeconds() });
    return this.#exchange(wasm, flow.code, flow.redirectUri, flow.codeVerifier, signal);
  }

  /**
   * Marks the object freed: later calls reject with a `CozeAuthError`. It holds no WebAssembly
   * memory (each call frees what it used), so this is optional. Idempotent.
   */
  free(): void {
    this.#freed = true;
  }
}
