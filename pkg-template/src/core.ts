// What every app class shares. The WebAssembly module (src/seam/ in the crate) makes every protocol
// decision through synchronous sans-IO calls (seam.ts): it builds each request and reads each
// response into a result or an error. The JS side only checks the types of the JS arguments,
// draws random bytes, reads the clock, and runs fetch (time limit, AbortSignal, no redirects),
// timers and the Storage. Where the module is not loaded yet (a browser's first use), the first
// call waits for it: no top-level await, so importing this package never blocks.

import { loadWasm, loadedWasm } from './wasm.js';
import { CozeAuthError, fail } from './error.js';
import type { HttpRequest, OAuthToken, ResponseArgs, Wasm } from './seam.js';
import type { CozeBaseURL } from './constants.js';
import type { ResponseLike } from './response.js';

export { CozeAuthError, fail, loadWasm, loadedWasm };

// The declarations name the fetch types of the consumer's own libs (DOM, or @types/node) where
// it has them, and else fall back to the minimal shapes this library uses, so they compile
// without either.

/** The part of an `AbortSignal` this library uses (it duck-types the signal: polyfills, other realms). */
export interface Signal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** The consumer's `AbortSignal` type, else the part of it this library uses. */
export type AbortSignalLike = typeof globalThis extends { AbortSignal: { prototype: infer T } } ? T : Signal;

/** The consumer's `RequestInit` type, else what this library passes. */
export type RequestInitLike = typeof globalThis extends { fetch(input: never, init?: infer I): unknown }
  ? NonNullable<I>
  : {
      method: string;
      headers: Record<string, string>;
      body: string;
      redirect: 'manual';
      signal: AbortSignalLike;
    };

export type { ResponseLike } from './response.js';

/**
 * A `fetch`-compatible function. The library calls it as `fetch(url, init)` with a string URL
 * and an init holding `method`, `headers`, `body`, `redirect: "manual"` and `signal`.
 * Pass your own to add logging, proxies or test doubles (like oauth4webapi's `customFetch`).
 */
export type FetchLike = (input: string, init: RequestInitLike) => Promise<ResponseLike>;

/** Options shared by every app class. */
export interface BaseAppOptions {
  /** The OAuth app's client id, from the Coze console (OAuth apps page). Required, non-empty. */
  clientId: string;
  /**
   * API base URL, without a trailing path. Defaults to {@link COZE_CN_BASE_URL}.
   * Apps, keys and tokens belong to one region: use {@link COZE_COM_BASE_URL} for coze.com apps.
   */
  baseURL?: CozeBaseURL;
  /** Replaces `globalThis.fetch` for every request this app makes. */
  fetch?: FetchLike;
  /** Per-request time limit in milliseconds, covering headers and body. Default 30000. */
  timeoutMs?: number;
  /**
   * Receives one debug line per request: method, URL, status, log id and time (never a code,
   * verifier, token or secret). Default: silent.
   */
  logger?: CozeAuthLogger;
}

/** Per-call options for anything that goes over the network. */
export interface RequestOptions {
  /** Aborts the request; the promise then rejects with a `CozeAuthError` whose code is `aborted`. */
  signal?: AbortSignalLike;
}

export type { OAuthToken } from './seam.js';

/**
 * A logger for debug lines (URL, status, log id, timing; never a token, code, JWT or key) and the
 * rare warning (`level` `'warn'`: a token store that failed, once per flow; an object logger
 * without `warn` gets it through `debug`).
 */
export type CozeAuthLogger = ((message: string, level: 'debug' | 'warn') => void) | { debug(message: string): void; warn?(message: string): void };

/**
 * A `sessionStorage`-like store for pending logins. With `length` and `key(i)` (as Web Storage
 * has), `startLogin` also removes the pending logins that expired (abandoned logins).
 */
export interface PendingFlowStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  readonly length?: number;
  key?(index: number): string | null;
}

/** A response as `send` hands it to the module: what it read of the headers, and the body. */
export type SentResponse = ResponseArgs & { body: Uint8Array };

/** Reads a response with the module (`args` beside the response's fields, at `now`). */
export type Reader<Args, Result> = (wasm: Wasm, args: { response: ResponseArgs; now: number } & Args, body: Uint8Array) => Result;

export const DEFAULT_TIMEOUT_MS = 30000;
/** Largest response body read (the core's MAX_BODY_BYTES). */
const MAX_BODY_BYTES = 1 << 20;

export const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/** `value[key]`, or undefined when `value` is not an object or the getter throws. */
export function get(value: unknown, key: string): unknown {
  if (!isObject(value) && typeof value !== 'function') return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

export function expectObject(value: unknown, name: string, optional?: boolean): void {
  if (!isObject(value) && !(optional && value === undefined)) throw fail(`${name} must be an object; received ${kindOf(value)}.`);
}

/** What a value is, for a message ("a string", "an array", "null"), never the value itself. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'undefined' ? 'nothing' : type === 'object' ? 'an object' : `a${/^[aeiou]/.test(type) ? 'n' : ''} ${type}`;
}

/**
 * A constructor's options object: `what` takes `shape` (e.g. `{ clientId, … }`). Anything else
 * (a string, as in `new PKCEOAuthApp('id')`) says what was received and what is expected.
 */
export function expectOptions(value: unknown, what: string, shape: string, optional?: boolean): void {
  if ((isObject(value) && !Array.isArray(value)) || (optional && value === undefined)) return;
  throw fail(`${what} takes an options object (${shape}); received ${kindOf(value)}.`);
}

/**
 * The `baseURL` option, else the environment's `COZE_API_BASE` in Node (an empty variable counts
 * as unset), else undefined (the module's default, https://api.coze.cn).
 */
export function baseURLOf(options: unknown): string | undefined {
  const given = string(options, 'baseURL');
  if (given !== undefined) return given;
  const env = (get(globalThis, 'process') as { env?: Record<string, string | undefined> } | undefined)?.env;
  const v = get(env, 'COZE_API_BASE');
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A logger's line sink: `[coze-auth] [what] …`, debug unless `level` says otherwise; errors a logger throws are ignored. */
export type Log = (line: string, level?: 'warn') => void;

/**
 * `logger`: a function `(message, level)` or an object with `debug(message)` (and maybe
 * `warn(message)`; without it a warning goes to `debug`), for the class `what`.
 */
export function loggerOf(options: unknown, what: string): Log | undefined {
  const logger = get(options, 'logger');
  if (logger == null) return undefined;
  type ObjectLogger = { debug(message: string): void; warn?(message: string): void };
  const emit: ((line: string, level: 'debug' | 'warn') => void) | undefined =
    typeof logger === 'function'
      ? (line, level) => logger(line, level)
      : typeof get(logger, 'debug') === 'function'
        ? (line, level) => {
            const o = logger as ObjectLogger;
            if (level === 'warn' && typeof o.warn === 'function') o.warn(line);
            else o.debug(line);
          }
        : undefined;
  if (!emit) throw fail('logger must be a function (message, level) or an object with a debug method.');
  return (line, level) => {
    try {
      emit(`[coze-auth] [${what}] ${line}`, level ?? 'debug');
    } catch {
      // A broken logger must not break authentication.
    }
  };
}

/** An optional string option (undefined/null: absent); `required` makes it mandatory. */
export function string(obj: unknown, key: string, required: true): string;
export function string(obj: unknown, key: string, required?: boolean): string | undefined;
export function string(obj: unknown, key: string, required?: boolean): string | undefined {
  const v = get(obj, key);
  if (v == null) {
    if (required) throw fail(`${key} is required.`);
    return undefined;
  }
  if (typeof v !== 'string') throw fail(`${key} must be a string; received ${kindOf(v)}.`);
  return v;
}

export function func(obj: unknown, key: string): ((...args: never[]) => unknown) | undefined {
  const v = get(obj, key);
  if (v != null && typeof v !== 'function') throw fail(`${key} must be a function; received ${kindOf(v)}.`);
  return (v as ((...args: never[]) => unknown) | null | undefined) ?? undefined;
}

export function millis(obj: unknown, key: string): number | undefined {
  const v = get(obj, key);
  if (v == null) return undefined;
  if (typeof v !== 'number' || v % 1 !== 0 || !(v >= 1 && v <= 2147483647)) {
    throw fail(`${key} must be a whole number of milliseconds from 1 to 2147483647.`);
  }
  return v;
}

/** The `signal` option, if it looks like an AbortSignal (duck-typed: polyfills, other realms). */
export function signalOf(obj: unknown): Signal | undefined {
  const v = get(obj, 'signal');
  if (v == null) return undefined;
  if (typeof get(v, 'aborted') !== 'boolean' || typeof get(v, 'addEventListener') !== 'function') {
    throw fail('signal must be an AbortSignal.');
  }
  return v as Signal;
}

/**
 * `options.storage`, else `fallback` (the app's), else `globalThis.sessionStorage` (whose getter
 * may throw: then absent).
 */
export function storageOf(options: unknown, fallback?: unknown): PendingFlowStorage {
  let store = get(options, 'storage') ?? fallback;
  if (store == null) store = get(globalThis, 'sessionStorage');
  if (!['getItem', 'setItem', 'removeItem'].every((m) => typeof get(store, m) === 'function')) {
    throw fail('No storage for the pending login: sessionStorage is not available here, so pass `storage` (an object with getItem, setItem and removeItem).');
  }
  return store as PendingFlowStorage;
}

export function storageCall<M extends 'getItem' | 'setItem' | 'removeItem'>(
  store: PendingFlowStorage,
  method: M,
  what: string,
  ...args: Parameters<PendingFlowStorage[M]>
): ReturnType<PendingFlowStorage[M]> {
  try {
    return (store[method] as (...a: typeof args) => ReturnType<PendingFlowStorage[M]>)(...args);
  } catch {
    throw fail(`Could not ${what} the pending login in storage (is sessionStorage available and not full?). Pass \`storage\` to use another store.`);
  }
}

/** `n` CSPRNG bytes; by default 48: a verifier (32) and a state (16). */
export function randomBytes(n = 48): Uint8Array {
  const crypto = get(globalThis, 'crypto') as Crypto | undefined;
  try {
    return crypto!.getRandomValues(new Uint8Array(n));
  } catch {
    throw fail('globalThis.crypto.getRandomValues is not available: coze-auth needs a secure random source (browsers, Node 20+).');
  }
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The module where it loads synchronously (Node); `what`, a Node-only class, names it in the error. */
export function nodeWasm(what: string): Wasm {
  const wasm = loadedWasm();
  if (!wasm) throw fail(`The coze-auth WebAssembly module is not loaded (${what} runs in Node only).`, 'unsupported');
  return wasm;
}

/** Sends a request the module built, then has the module read the answer: `read` with `args` and `now`. */
export async function sendAndRead<Args extends object, Result>(
  wasm: Wasm,
  fetchFn: FetchLike | undefined,
  timeoutMs: number,
  signal: Signal | undefined,
  request: HttpRequest,
  read: Reader<Args, Result>,
  args: Args,
  log?: Log,
): Promise<Result> {
  // Named, not `{ body, ...res }`: a rest pattern costs about 1 µs in Node.
  const { status, logId, retryAfter, tooLarge, body } = await send(fetchFn, timeoutMs, signal, request, log);
  return read(wasm, { response: { status, logId, retryAfter, tooLarge }, now: nowSeconds(), ...args }, body);
}

/**
 * Resolves after `ms` milliseconds, or rejects with `aborted` as soon as `signal` fires; the
 * timer never outlives the wait.
 */
export function sleep(ms: number, signal: Signal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    let left = ms > 0 ? ms : 0; // NaN: no wait; Infinity: until the signal fires
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(aborted());
    };
    // setTimeout takes at most 2^31-1 ms (it fires after 1 ms otherwise): sleep in such chunks.
    const wait = () => {
      const chunk = Math.min(left, MAX_TIMER_MS);
      left -= chunk;
      timer = setTimeout(() => {
        if (left > 0) return wait();
        done();
        resolve();
      }, chunk);
    };
    wait();
    signal?.addEventListener('abort', onAbort);
  });
}

/** The longest delay setTimeout takes (2^31-1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2147483647;

export const aborted = () => fail("The request was aborted by the caller's AbortSignal.", 'aborted');

/**
 * Why a request got no response, for a message: the error code and the address or host from
 * `cause`, `cause.cause` (undici) or an AggregateError's first error, e.g. `ECONNREFUSED
 * 127.0.0.1:1` or `ENOTFOUND api.coze.cn`. Only these checked tokens are quoted, never free
 * text (a custom fetch's message could hold anything).
 */
function failureReason(cause: unknown): string | undefined {
  const seen: unknown[] = [];
  for (let e: unknown = cause; isObject(e) && seen.length < 4 && !seen.includes(e); ) {
    seen.push(e);
    const code = get(e, 'code');
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) {
      const address = get(e, 'address');
      const port = get(e, 'port');
      const host = get(e, 'hostname') ?? get(e, 'host');
      let where = '';
      if (typeof address === 'string' && /^[0-9A-Fa-f:.]{2,45}$/.test(address)) {
        where = address.includes(':') ? `[${address}]` : address;
        if (typeof port === 'number' && Number.isInteger(port)) where += `:${port}`;
      } else if (typeof host === 'string' && /^[A-Za-z0-9.-]{1,253}$/.test(host)) {
        where = host;
      }
      return where ? `${code} ${where}` : code;
    }
    const errors = get(e, 'errors');
    e = get(e, 'cause') ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

/** The message of a request that got no response: the host, the reason, and CORS in a page. */
function networkFailure(url: string, cause: unknown): string {
  let host = 'Coze';
  try {
    host = new URL(url).host;
  } catch {
    // the module built the URL; keep "Coze"
  }
  const reason = failureReason(cause);
  const page = get(globalThis, 'document') !== undefined;
  return (
    `Could not reach ${host}: ${reason ?? 'no response (see `cause`)'}. ` +
    (page
      ? 'Check the network and baseURL; in a page, the request may also have been blocked by CORS (see the browser console).'
      : 'Check the network, DNS and baseURL (and a proxy, if you need one).')
  );
}

/**
 * Reads the body, at most MAX_BODY_BYTES of it as decompressed (whatever `Content-Length`
 * said): the bytes, or undefined past the limit, when the reading stops at once. As a stream
 * where the Response has one, else whole with `arrayBuffer()` and checked after.
 */
async function readBody(
  response: unknown,
  race: <T>(work: () => Promise<T>) => Promise<T>,
  lengthBounded: boolean,
): Promise<Uint8Array | undefined> {
  const stream = get(response, 'body');
  const getReader = get(stream, 'getReader');
  // A body whose length is declared (within the limit) and not compressed cannot grow past it:
  // read it whole. Streaming such a body made headless Chromium report the finished request as
  // aborted now and then (the page still got it), so the stream is kept for the bodies that
  // need counting: no length, or a compressed one.
  if (lengthBounded || typeof getReader !== 'function') {
    const whole = new Uint8Array(await race(() => (response as { arrayBuffer(): Promise<ArrayBuffer> }).arrayBuffer()));
    return whole.byteLength > MAX_BODY_BYTES ? undefined : whole;
  }
  const reader = getReader.call(stream) as { read(): Promise<{ done: boolean; value?: unknown }>; cancel(): Promise<void> };
  const chunks: Uint8Array[] = [];
  let total = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await race(() => reader.read());
      if (done) break;
      if (!ArrayBuffer.isView(value)) throw fail('The response body is not a stream of bytes (a custom fetch?).', 'invalid_response');
      total += value.byteLength;
      if (total > MAX_BODY_BYTES) return undefined;
      chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
    finished = true;
  } finally {
    // Past the limit, or on a timeout or abort: stop reading (the request is aborted too).
    if (!finished) reader.cancel().catch(() => {});
  }
  // One chunk (a small answer, usually): it is the body as it is.
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

/**
 * Sends one request of the core and returns `{status, logId, retryAfter, body, tooLarge}` (a body
 * over the limit, declared or counted while read, is not kept), with a line to `log`. The whole
 * exchange, headers and body, runs under a deadline that settles it on time even if `fetch`
 * ignores the AbortSignal: the work races a promise that rejects when the timer fires or the
 * caller's signal aborts, and the request's own controller is aborted then too.
 */
export function send(fetchFn: FetchLike | undefined, timeoutMs: number, signal: Signal | undefined, request: HttpRequest, log?: Log): Promise<SentResponse> {
  // Not itself async: one promise fewer per request without a logger.
  return log ? sendLogged(fetchFn, timeoutMs, signal, request, log) : exchange(fetchFn, timeoutMs, signal, request);
}

/** {@link send} with its line to `log`. */
async function sendLogged(fetchFn: FetchLike | undefined, timeoutMs: number, signal: Signal | undefined, request: HttpRequest, log: Log): Promise<SentResponse> {
  const started = Date.now();
  try {
    const response = await exchange(fetchFn, timeoutMs, signal, request);
    // A header that does not look like a log id is not copied into the line (it could echo anything).
    const logId = response.logId === undefined ? 'none' : /^[0-9A-Za-z_-]{1,64}$/.test(response.logId) ? response.logId : 'malformed';
    log(`${request.method} ${request.url} -> ${response.status} (logId ${logId}) in ${Date.now() - started} ms`);
    return response;
  } catch (e) {
    log(`${request.method} ${request.url} failed (${(e as { code?: string } | undefined)?.code ?? 'error'}) after ${Date.now() - started} ms`);
    throw e;
  }
}

/** {@link send} without the log line. */
async function exchange(fetchFn: FetchLike | undefined, timeoutMs: number, signal: Signal | undefined, request: HttpRequest): Promise<SentResponse> {
  if (signal?.aborted) throw aborted();
  let timedOut = false;
  let reject!: (reason: string) => void;
  const deadline = new Promise<never>((_, r) => (reject = r));
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
  const failure = (cause: unknown) =>
    signal?.aborted
      ? aborted()
      : timedOut
        ? fail(`No complete response from Coze within ${timeoutMs} ms. Check the network, or raise timeoutMs.`, 'timeout')
        : fail(networkFailure(request.url, cause), 'network_error', cause);
  const race = async <T>(work: () => Promise<T>): Promise<T> => {
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
      redirect: 'manual' as const,
      signal: controller.signal,
    };
    const response: ResponseLike = await race(() => (fetchFn ? fetchFn(request.url, init) : fetch(request.url, init)));
    const status = get(response, 'type') === 'opaqueredirect' ? 0 : get(response, 'status');
    if (typeof status !== 'number' || !(status >= 0 && status <= 999)) {
      throw fail('fetch returned something that is not a Response.', 'invalid_response');
    }
    const headers = get(response, 'headers') as Headers;
    const header = (name: string) => {
      try {
        const v = headers.get(name);
        return typeof v === 'string' ? v : undefined;
      } catch {
        return undefined;
      }
    };
    const length = header('content-length');
    const result: SentResponse = {
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
    const encoding = header('content-encoding')?.trim().toLowerCase();
    const lengthBounded = length !== undefined && /^\s*\+?\d+\s*$/.test(length) && (encoding === undefined || encoding === '' || encoding === 'identity');
    const body = await readBody(response, race, lengthBounded);
    if (body === undefined) {
      controller.abort();
      result.tooLarge = true;
      return result;
    }
    result.body = body;
    return result;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
