// The public classes. The WebAssembly module (src/wasm/npm.rs) makes every protocol decision
// through synchronous sans-IO calls: it builds the authorize URL and each token request, and
// reads each response into a token or an error. This file only checks the types of the JS
// arguments, draws random bytes, reads the clock, and runs fetch (time limit, AbortSignal, no
// redirects) and the Storage. Where the module is not loaded yet (a browser's first use), the
// first call waits for it: no top-level await, so importing this package never blocks.

import { loadWasm, loadedWasm } from './wasm.js';
import { CozeAuthError } from './error.js';

export { CozeAuthError };

/** Coze's China region API base (the default). */
export const COZE_CN_BASE_URL = 'https://api.coze.cn';
/** Coze's global region API base. */
export const COZE_COM_BASE_URL = 'https://api.coze.com';

const DEFAULT_TIMEOUT_MS = 30000;
/** Largest response body read (the core's MAX_BODY_BYTES). */
const MAX_BODY_BYTES = 1 << 20;

const fail = (message, code = 'invalid_argument', cause) =>
  new CozeAuthError(message, cause === undefined ? { code } : { code, cause });

// The module's operations (src/wasm/npm.rs).
const CHECK = 0;
const AUTHORIZE = 1;
const EXCHANGE = 2;
const REFRESH = 3;
const TOKEN = 4;
const CALLBACK_KEY = 5;
const TAKE_CALLBACK = 6;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Runs one operation of the module: `args` go as JSON, `bytes` as they are; the answer is the
 * result, or the CozeAuthError it stands for (thrown).
 */
function run(wasm, op, args, bytes = new Uint8Array(0)) {
  const r = JSON.parse(decoder.decode(wasm.run(op, encoder.encode(JSON.stringify(args)), bytes)));
  if (r.error) {
    const { message, ...details } = r.error;
    throw new CozeAuthError(message, details);
  }
  return r;
}

const isObject = (v) => typeof v === 'object' && v !== null;

/** `value[key]`, or undefined when `value` is not an object or the getter throws. */
function get(value, key) {
  if (!isObject(value) && typeof value !== 'function') return undefined;
  try {
    return value[key];
  } catch {
    return undefined;
  }
}

function expectObject(value, name, optional) {
  if (!isObject(value) && !(optional && value === undefined)) throw fail(`${name} must be an object.`);
}

/** An optional string option (undefined/null: absent); `required` makes it mandatory. */
function string(obj, key, required) {
  const v = get(obj, key);
  if (v == null) {
    if (required) throw fail(`${key} is required.`);
    return undefined;
  }
  if (typeof v !== 'string') throw fail(`${key} must be a string.`);
  return v;
}

function func(obj, key) {
  const v = get(obj, key);
  if (v != null && typeof v !== 'function') throw fail(`${key} must be a function.`);
  return v ?? undefined;
}

function millis(obj, key) {
  const v = get(obj, key);
  if (v == null) return undefined;
  if (typeof v !== 'number' || v % 1 !== 0 || !(v >= 1 && v <= 2147483647)) {
    throw fail(`${key} must be a whole number of milliseconds from 1 to 2147483647.`);
  }
  return v;
}

/** The `signal` option, if it looks like an AbortSignal (duck-typed: polyfills, other realms). */
function signalOf(obj) {
  const v = get(obj, 'signal');
  if (v == null) return undefined;
  if (typeof get(v, 'aborted') !== 'boolean' || typeof get(v, 'addEventListener') !== 'function') {
    throw fail('signal must be an AbortSignal.');
  }
  return v;
}

/** `options.storage`, else `globalThis.sessionStorage` (whose getter may throw: then absent). */
function storageOf(options) {
  let store = get(options, 'storage');
  if (store == null) store = get(globalThis, 'sessionStorage');
  if (!['getItem', 'setItem', 'removeItem'].every((m) => typeof get(store, m) === 'function')) {
    throw fail('No storage for the pending login: sessionStorage is not available here, so pass `storage` (an object with getItem, setItem and removeItem).');
  }
  return store;
}

function storageCall(store, method, what, ...args) {
  try {
    return store[method](...args);
  } catch {
    throw fail(`Could not ${what} the pending login in storage (is sessionStorage available and not full?). Pass \`storage\` to use another store.`);
  }
}

/** 48 CSPRNG bytes: a verifier (32) and a state (16). */
function randomBytes() {
  const crypto = get(globalThis, 'crypto');
  try {
    return crypto.getRandomValues(new Uint8Array(48));
  } catch {
    throw fail('globalThis.crypto.getRandomValues is not available: coze-auth needs a secure random source (browsers, Node 20+).');
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const aborted = () => fail("The request was aborted by the caller's AbortSignal.", 'aborted');

/**
 * Sends one request of the core and returns `{status, logId, body, tooLarge}`. The whole
 * exchange, headers and body, runs under a deadline that settles it on time even if `fetch`
 * ignores the AbortSignal: the work races a promise that rejects when the timer fires or the
 * caller's signal aborts, and the request's own controller is aborted then too.
 */
async function send(fetchFn, timeoutMs, signal, request) {
  if (signal?.aborted) throw aborted();
  let timedOut = false;
  let reject;
  const deadline = new Promise((_, r) => (reject = r));
  deadline.catch(() => {});
  const controller = new AbortController();
  const onAbort = () => {
    controller.abort();
    reject('aborted');
  };
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
    reject('timeout');
  }, timeoutMs);
  signal?.addEventListener('abort', onAbort);
  const failure = (cause) =>
    signal?.aborted
      ? aborted()
      : timedOut
        ? fail(`No complete response from Coze within ${timeoutMs} ms. Check the network, or raise timeoutMs.`, 'timeout')
        : fail('The request to Coze failed before a response arrived (network down, DNS, connection reset, or blocked by CORS). See `cause`.', 'network_error', cause);
  const race = async (work) => {
    try {
      return await Promise.race([work(), deadline]);
    } catch (e) {
      throw failure(e);
    }
  };
  try {
    const init = {
      method: request.method,
      headers: request.headers,
      body: request.body,
      // Token calls never follow redirects: a redirect is answered, not obeyed.
      redirect: 'manual',
      signal: controller.signal,
    };
    const response = await race(() => (fetchFn ? fetchFn(request.url, init) : fetch(request.url, init)));
    const status = get(response, 'type') === 'opaqueredirect' ? 0 : get(response, 'status');
    if (typeof status !== 'number' || !(status >= 0 && status <= 999)) {
      throw fail('fetch returned something that is not a Response.', 'invalid_response');
    }
    const headers = get(response, 'headers');
    const header = (name) => {
      try {
        const v = headers.get(name);
        return typeof v === 'string' ? v : undefined;
      } catch {
        return undefined;
      }
    };
    const length = header('content-length');
    const result = { status, logId: header('x-tt-logid'), body: new Uint8Array(0), tooLarge: undefined };
    if (length !== undefined && /^\s*\+?\d+\s*$/.test(length) && Number(length) > MAX_BODY_BYTES) {
      controller.abort();
      result.tooLarge = true;
      return result;
    }
    result.body = new Uint8Array(await race(() => response.arrayBuffer()));
    return result;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

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
    if (!this.#checked) run(wasm, CHECK, this.#app);
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
      AUTHORIZE,
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
    const { body, ...res } = await send(this.#fetch, this.#timeoutMs, signal, request);
    return run(wasm, TOKEN, { ...res, now: nowSeconds(), secret1, secret2 }, body);
  }

  #exchange(wasm, code, redirectUri, codeVerifier, signal) {
    const request = run(wasm, EXCHANGE, { ...this.#app, code, redirectUri, codeVerifier });
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
    return this.#token(wasm, run(wasm, REFRESH, { ...this.#app, refreshToken }), signal, refreshToken);
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
    const { key } = run(wasm, CALLBACK_KEY, { url });
    const stored = storageCall(store, 'getItem', 'read', key);
    storageCall(store, 'removeItem', 'delete', key);
    const flow = run(wasm, TAKE_CALLBACK, { url, stored: typeof stored === 'string' ? stored : undefined, now: nowSeconds() });
    return this.#exchange(wasm, flow.code, flow.redirectUri, flow.codeVerifier, signal);
  }

  /** Releases the object (further calls fail). Idempotent. */
  free() {
    this.#freed = true;
  }
}
