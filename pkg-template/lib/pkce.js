// PKCEOAuthApp: PKCE login for public clients (single-page apps, mobile, desktop).

import {
  DEFAULT_TIMEOUT_MS,
  expectObject,
  fail,
  func,
  get,
  loadedWasm,
  loadWasm,
  millis,
  nowSeconds,
  op,
  randomBytes,
  run,
  sendAndRead,
  signalOf,
  storageCall,
  storageOf,
  string,
} from './core.js';

/** PKCE login for public clients (single-page apps, mobile, desktop). See index.d.ts. */
export class PKCEOAuthApp {
  #app; // {clientId, baseURL, wwwBaseURL}, checked by the module with every call
  #fetch;
  #timeoutMs;
  #freed = false;
  #checked = false;

  constructor(options) {
    expectObject(options, 'options');
    this.#app = { clientId: string(options, 'clientId', true), baseURL: string(options, 'baseURL'), wwwBaseURL: string(options, 'wwwBaseURL') };
    this.#fetch = func(options, 'fetch');
    this.#timeoutMs = millis(options, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
    const wasm = loadedWasm();
    if (wasm) this.#check(wasm); // option errors throw here, synchronously
  }

  #check(wasm) {
    if (!this.#checked) run(wasm, op.CHECK, this.#app);
    this.#checked = true;
    return wasm;
  }

  async #wasm() {
    if (this.#freed) throw fail('This object was freed with free(); create a new one.');
    return this.#check(await loadWasm()); // a browser's first use: the options are checked now
  }

  #authorize(wasm, params, loginNow) {
    expectObject(params, 'params');
    return run(
      wasm,
      op.AUTHORIZE,
      {
        ...this.#app,
        redirectUri: string(params, 'redirectUri', true),
        state: string(params, 'state'),
        codeChallengeMethod: string(params, 'codeChallengeMethod'),
        workspaceId: string(params, 'workspaceId'),
        loginNow,
      },
      randomBytes(),
    );
  }

  /** Sends a request the module built, and has the module read the answer. */
  async #token(wasm, request, signal, secret1, secret2) {
    return sendAndRead(wasm, this.#fetch, this.#timeoutMs, signal, request, op.TOKEN, { secret1, secret2 });
  }

  #exchange(wasm, code, redirectUri, codeVerifier, signal) {
    const request = run(wasm, op.EXCHANGE, { ...this.#app, code, redirectUri, codeVerifier });
    return this.#token(wasm, request, signal, code, codeVerifier);
  }

  async getOAuthUrl(params) {
    const { url, state, codeVerifier, codeChallengeMethod } = this.#authorize(await this.#wasm(), params);
    return { url, state, codeVerifier, codeChallengeMethod };
  }

  async getAccessToken(params) {
    const wasm = await this.#wasm();
    expectObject(params, 'params');
    const code = string(params, 'code', true);
    const redirectUri = string(params, 'redirectUri', true);
    const codeVerifier = string(params, 'codeVerifier', true);
    return this.#exchange(wasm, code, redirectUri, codeVerifier, signalOf(params));
  }

  async refreshAccessToken(refreshToken, options) {
    const wasm = await this.#wasm();
    expectObject(options, 'options', true);
    if (typeof refreshToken !== 'string') throw fail('refreshToken must be a string.');
    const signal = signalOf(options);
    return this.#token(wasm, run(wasm, op.REFRESH, { ...this.#app, refreshToken }), signal, refreshToken);
  }

  /** Stores the pending login (keyed by state), then navigates to the authorize URL. */
  async startLogin(params) {
    const wasm = await this.#wasm();
    expectObject(params, 'params');
    const navigate = func(params, 'navigate');
    const store = storageOf(params);
    const auth = this.#authorize(wasm, params, nowSeconds());
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

  /** Completes a login started by startLogin; the pending login is deleted whatever happens. */
  async handleCallback(url, options) {
    const wasm = await this.#wasm();
    expectObject(options, 'options', true);
    if (typeof url !== 'string') throw fail('handleCallback needs the callback URL (location.href) as a string.');
    const store = storageOf(options);
    const signal = signalOf(options);
    const { key } = run(wasm, op.CALLBACK_KEY, { url });
    const stored = storageCall(store, 'getItem', 'read', key);
    storageCall(store, 'removeItem', 'delete', key);
    const flow = run(wasm, op.TAKE_CALLBACK, { url, stored: typeof stored === 'string' ? stored : undefined, now: nowSeconds() });
    return this.#exchange(wasm, flow.code, flow.redirectUri, flow.codeVerifier, signal);
  }

  /** Releases the object (further calls fail). Idempotent. */
  free() {
    this.#freed = true;
  }
}
