// PKCEOAuthApp: PKCE login for public clients (single-page apps, mobile, desktop).

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
  get,
  loadedWasm,
  loadWasm,
  type Log,
  loggerOf,
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
  pendingLoginExpired,
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
import { CozeAuthError } from './error.js';

export type { CodeChallengeMethod } from './seam.js';

/** Options of {@link PKCEOAuthApp}. */
export interface PKCEOAuthAppOptions extends BaseAppOptions {
  /**
   * Base of the consent page host. Defaults to `baseURL` with `api.` replaced by `www.`
   * (`https://api.coze.cn` → `https://www.coze.cn`); set it for private deployments.
   */
  wwwBaseURL?: CozeWwwBaseURL;
  /**
   * Where {@link PKCEOAuthApp.startLogin} keeps pending logins and
   * {@link PKCEOAuthApp.handleCallback} finds them, unless a call passes its own. Default
   * `globalThis.sessionStorage`.
   */
  storage?: PendingFlowStorage;
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
  /** Where the pending flow is kept across the redirect. Default: the app's `storage`, else `globalThis.sessionStorage`. */
  storage?: PendingFlowStorage;
  /** Performs the navigation. Default `(url) => globalThis.location.assign(url)`. */
  navigate?: (url: string) => void;
}

/** Options of {@link PKCEOAuthApp.handleCallback}. */
export interface HandleCallbackOptions extends RequestOptions {
  /** The store given to {@link PKCEOAuthApp.startLogin}. Default: the app's `storage`, else `globalThis.sessionStorage`. */
  storage?: PendingFlowStorage;
}

/**
 * Removes from `store` the pending logins under `prefix` that the module finds expired (over an
 * hour old, or unreadable): logins started and never finished leave their verifier behind
 * otherwise. Only where the store can be enumerated (`length` and `key(i)`, as Web Storage);
 * best effort: a store that throws is left as it is.
 */
function removeExpired(wasm: Wasm, store: PendingFlowStorage, prefix: string, now: number): void {
  try {
    const length = get(store, 'length');
    if (typeof length !== 'number' || typeof get(store, 'key') !== 'function' || prefix === '') return;
    const keys: string[] = [];
    for (let i = 0; i < length && i < 10000; i++) {
      const key = store.key!(i);
      if (typeof key === 'string' && key.startsWith(prefix)) keys.push(key);
    }
    for (const key of keys) {
      const stored = store.getItem(key);
      if (typeof stored === 'string' && pendingLoginExpired(wasm, { stored, now }).expired) store.removeItem(key);
    }
  } catch (e) {
    if (e instanceof CozeAuthError && e.code === 'internal') throw e;
    // The store refused: the login itself may still work.
  }
}

/**
 * What an app holds. Kept in a module-level WeakMap rather than in `#private` fields: a page's
 * bundler lowers private fields for targets before ES2022 into one WeakMap per field plus access
 * helpers (about 1 KB of the minified PKCE page), and private names survive minification.
 */
interface AppState {
  app: PkceAppArgs; // checked by the module with every call
  fetch: FetchLike | undefined;
  timeoutMs: number;
  storage: PendingFlowStorage | undefined;
  log: Log | undefined;
  freed?: true;
  checked?: true;
}

const states = /* @__PURE__ */ new WeakMap<PKCEOAuthApp, AppState>();

function check(s: AppState, wasm: Wasm): Wasm {
  if (!s.checked) pkceCheckApp(wasm, { app: s.app });
  s.checked = true;
  return wasm;
}

/** The app's state and the module: loaded (Node, or a page after its first use), else a page's first use, when the options are checked. */
async function ready(self: PKCEOAuthApp): Promise<[AppState, Wasm]> {
  const s = states.get(self)!; // a method called on another object fails here (TypeError), as a private field's access did
  if (s.freed) throw fail('This object was freed with free(); create a new one.');
  return [s, check(s, loadedWasm() ?? (await loadWasm()))];
}

function authorize(s: AppState, wasm: Wasm, params: unknown, loginNow?: number): PkceAuthorizeResult {
  expectObject(params, 'params');
  return pkceAuthorize(
    wasm,
    {
      app: s.app,
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
function token(s: AppState, wasm: Wasm, request: HttpRequest, signal: Signal | undefined, secret1: string, secret2?: string): Promise<OAuthToken> {
  return sendAndRead(wasm, s.fetch, s.timeoutMs, signal, request, readTokenResponse, { secret1, secret2 }, s.log);
}

function exchange(s: AppState, wasm: Wasm, code: string, redirectUri: string, codeVerifier: string, signal: Signal | undefined): Promise<OAuthToken> {
  const request = pkceExchangeRequest(wasm, { app: s.app, code, redirectUri, codeVerifier });
  return token(s, wasm, request, signal, code, codeVerifier);
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
  // Types only (emits nothing): a private member keeps the class nominal in the declarations, as
  // its `#private` fields did, so a look-alike object is not a PKCEOAuthApp.
  private declare readonly brand: never;

  /**
   * @throws {CozeAuthError} `invalid_argument` when an option is missing or has the wrong type.
   * The protocol checks of the values (an empty `clientId`, a `baseURL` that is not https) run in
   * the WebAssembly module: in Node and once the module is loaded they throw here too; in a
   * browser's very first construction they reject the first method call instead.
   */
  constructor(options: PKCEOAuthAppOptions) {
    expectOptions(options, 'PKCEOAuthApp', '{ clientId, baseURL?, … }');
    const s: AppState = {
      // In Node, baseURL falls back to COZE_API_BASE.
      app: { clientId: string(options, 'clientId', true), baseURL: baseURLOf(options), wwwBaseURL: string(options, 'wwwBaseURL') },
      fetch: func(options, 'fetch') as FetchLike | undefined,
      timeoutMs: millis(options, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS,
      storage: get(options, 'storage') == null ? undefined : storageOf(options),
      log: loggerOf(options, 'PKCEOAuthApp'),
    };
    states.set(this, s);
    const wasm = loadedWasm();
    if (wasm) check(s, wasm); // option errors throw here, synchronously
  }

  /** The app's client id. A session (`createSession`) keys its storage with it. */
  get clientId(): string {
    return states.get(this)!.app.clientId;
  }

  /** Builds the authorize URL with a fresh verifier (and state unless given). No network. */
  async getOAuthUrl(params: GetPKCEOAuthUrlParams): Promise<PKCEOAuthUrl> {
    const { url, state, codeVerifier, codeChallengeMethod } = authorize(...(await ready(this)), params);
    return { url, state, codeVerifier, codeChallengeMethod };
  }

  /** Exchanges the callback's code for a token (`POST /api/permission/oauth2/token`). */
  async getAccessToken(params: GetPKCEAccessTokenParams): Promise<OAuthToken> {
    const [s, wasm] = await ready(this);
    expectObject(params, 'params');
    const code = string(params, 'code', true);
    const redirectUri = string(params, 'redirectUri', true);
    const codeVerifier = string(params, 'codeVerifier', true);
    return exchange(s, wasm, code, redirectUri, codeVerifier, signalOf(params));
  }

  /** Trades a refresh token for a new token. Store the returned `refresh_token`: it may rotate. */
  async refreshAccessToken(refreshToken: string, options?: RequestOptions): Promise<OAuthToken> {
    const [s, wasm] = await ready(this);
    expectObject(options, 'options', true);
    if (typeof refreshToken !== 'string') throw fail(`refreshToken must be a string; received ${kindOf(refreshToken)}.`);
    const signal = signalOf(options);
    return token(s, wasm, pkceRefreshRequest(wasm, { app: s.app, refreshToken }), signal, refreshToken);
  }

  /**
   * Browser helper: builds the URL, stores `{state, codeVerifier, redirectUri}` in `storage`
   * keyed by state (several tabs may log in at once), then navigates.
   * Resolves with the URL and state once navigation was requested.
   */
  async startLogin(params: StartLoginParams): Promise<{ url: string; state: string }> {
    const [s, wasm] = await ready(this);
    expectObject(params, 'params');
    const navigate = func(params, 'navigate') as ((url: string) => void) | undefined;
    const store = storageOf(params, s.storage);
    // With `loginNow`, the module answers the pending login's `key` and `value` too.
    const now = nowSeconds();
    const auth = authorize(s, wasm, params, now) as Required<PkceAuthorizeResult>;
    removeExpired(wasm, store, auth.key.slice(0, auth.key.length - auth.state.length), now);
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
    const [s, wasm] = await ready(this);
    expectObject(options, 'options', true);
    if (typeof url !== 'string') throw fail(`handleCallback needs the callback URL (location.href) as a string; received ${kindOf(url)}.`);
    const store = storageOf(options, s.storage);
    const signal = signalOf(options);
    const { key } = pendingLoginKey(wasm, { url });
    const stored = storageCall(store, 'getItem', 'read', key);
    storageCall(store, 'removeItem', 'delete', key);
    const flow = takePendingLogin(wasm, { app: s.app, url, stored: typeof stored === 'string' ? stored : undefined, now: nowSeconds() });
    return exchange(s, wasm, flow.code, flow.redirectUri, flow.codeVerifier, signal);
  }

  /**
   * Marks the object freed: later calls reject with a `CozeAuthError`. It holds no WebAssembly
   * memory (each call frees what it used), so this is optional. Idempotent.
   */
  free(): void {
    states.get(this)!.freed = true;
  }
}
