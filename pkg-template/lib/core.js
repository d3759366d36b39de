// What every app class shares. The WebAssembly module (src/wasm/npm.rs) makes every protocol
// decision through synchronous sans-IO calls: it builds each request and reads each response
// into a result or an error. The JS side only checks the types of the JS arguments, draws
// random bytes, reads the clock, and runs fetch (time limit, AbortSignal, no redirects), timers
// and the Storage. Where the module is not loaded yet (a browser's first use), the first call
// waits for it: no top-level await, so importing this package never blocks.

import { loadWasm, loadedWasm } from './wasm.js';
import { CozeAuthError } from './error.js';

export { CozeAuthError, loadWasm, loadedWasm };

export const DEFAULT_TIMEOUT_MS = 30000;
/** Largest response body read (the core's MAX_BODY_BYTES). */
const MAX_BODY_BYTES = 1 << 20;

export const fail = (message, code = 'invalid_argument', cause) =>
  new CozeAuthError(message, cause === undefined ? { code } : { code, cause });

/** The module's operations in both builds, numbered as in src/wasm/npm.rs (the Node build's: node-ops.js). */
export const op = {
  CHECK: 0,
  AUTHORIZE: 1,
  EXCHANGE: 2,
  REFRESH: 3,
  TOKEN: 4,
  CALLBACK_KEY: 5,
  TAKE_CALLBACK: 6,
};

export const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Runs one operation of the module: `args` go as JSON, `bytes` as they are; the answer is the
 * result, or the CozeAuthError it stands for (thrown).
 */
export function run(wasm, operation, args, bytes = new Uint8Array(0)) {
  const r = JSON.parse(decoder.decode(wasm.run(operation, encoder.encode(JSON.stringify(args)), bytes)));
  if (r.error) {
    const { message, ...details } = r.error;
    throw new CozeAuthError(message, details);
  }
  return r;
}

export const isObject = (v) => typeof v === 'object' && v !== null;

/** `value[key]`, or undefined when `value` is not an object or the getter throws. */
export function get(value, key) {
  if (!isObject(value) && typeof value !== 'function') return undefined;
  try {
    return value[key];
  } catch {
    return undefined;
  }
}

export function expectObject(value, name, optional) {
  if (!isObject(value) && !(optional && value === undefined)) throw fail(`${name} must be an object.`);
}

/** An optional string option (undefined/null: absent); `required` makes it mandatory. */
export function string(obj, key, required) {
  const v = get(obj, key);
  if (v == null) {
    if (required) throw fail(`${key} is required.`);
    return undefined;
  }
  if (typeof v !== 'string') throw fail(`${key} must be a string.`);
  return v;
}

export function func(obj, key) {
  const v = get(obj, key);
  if (v != null && typeof v !== 'function') throw fail(`${key} must be a function.`);
  return v ?? undefined;
}

export function millis(obj, key) {
  const v = get(obj, key);
  if (v == null) return undefined;
  if (typeof v !== 'number' || v % 1 !== 0 || !(v >= 1 && v <= 2147483647)) {
    throw fail(`${key} must be a whole number of milliseconds from 1 to 2147483647.`);
  }
  return v;
}

/** The `signal` option, if it looks like an AbortSignal (duck-typed: polyfills, other realms). */
export function signalOf(obj) {
  const v = get(obj, 'signal');
  if (v == null) return undefined;
  if (typeof get(v, 'aborted') !== 'boolean' || typeof get(v, 'addEventListener') !== 'function') {
    throw fail('signal must be an AbortSignal.');
  }
  return v;
}

/** `options.storage`, else `globalThis.sessionStorage` (whose getter may throw: then absent). */
export function storageOf(options) {
  let store = get(options, 'storage');
  if (store == null) store = get(globalThis, 'sessionStorage');
  if (!['getItem', 'setItem', 'removeItem'].every((m) => typeof get(store, m) === 'function')) {
    throw fail('No storage for the pending login: sessionStorage is not available here, so pass `storage` (an object with getItem, setItem and removeItem).');
  }
  return store;
}

export function storageCall(store, method, what, ...args) {
  try {
    return store[method](...args);
  } catch {
    throw fail(`Could not ${what} the pending login in storage (is sessionStorage available and not full?). Pass \`storage\` to use another store.`);
  }
}

/** 48 CSPRNG bytes: a verifier (32) and a state (16). */
export function randomBytes() {
  const crypto = get(globalThis, 'crypto');
  try {
    return crypto.getRandomValues(new Uint8Array(48));
  } catch {
    throw fail('globalThis.crypto.getRandomValues is not available: coze-auth needs a secure random source (browsers, Node 20+).');
  }
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The module where it loads synchronously (Node); `what`, a Node-only class, names it in the error. */
export function nodeWasm(what) {
  const wasm = loadedWasm();
  if (!wasm) throw fail(`The coze-auth WebAssembly module is not loaded (${what} runs in Node only).`, 'unsupported');
  return wasm;
}

/** Sends a request the module built, then has the module read the answer: operation `read` with `args` and `now`. */
export async function sendAndRead(wasm, fetchFn, timeoutMs, signal, request, read, args) {
  const { body, ...res } = await send(fetchFn, timeoutMs, signal, request);
  return run(wasm, read, { ...res, ...args, now: nowSeconds() }, body);
}

/**
 * Resolves after `ms` milliseconds, or rejects with `aborted` as soon as `signal` fires; the
 * timer never outlives the wait.
 */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(aborted());
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort);
  });
}

export const aborted = () => fail("The request was aborted by the caller's AbortSignal.", 'aborted');

/**
 * Sends one request of the core and returns `{status, logId, retryAfter, body, tooLarge}`. The whole
 * exchange, headers and body, runs under a deadline that settles it on time even if `fetch`
 * ignores the AbortSignal: the work races a promise that rejects when the timer fires or the
 * caller's signal aborts, and the request's own controller is aborted then too.
 */
export async function send(fetchFn, timeoutMs, signal, request) {
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
    const result = {
      status,
      logId: header('x-tt-logid'),
      retryAfter: header('retry-after'),
      body: new Uint8Array(0),
      tooLarge: undefined,
    };
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

