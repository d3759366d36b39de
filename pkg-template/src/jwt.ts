// OAuthJWTFlow: the JWT grant of Coze's service apps (Node only: it holds a private key). The
// module parses the key once (any PEM → PKCS#8 DER), builds each assertion's signing input and
// the token request, and reads the answer; this file signs (host.ts: node:crypto in the Node
// build, WebCrypto in the edge build, which swaps in host-web.ts), joins
// the JWT (signing input "." base64url signature), sends, and keeps the token cache (a token
// per grant parameters, replaced the core's margin before it expires, one shared request per
// parameters while a mint is in flight). A TokenStore (token-store.ts) behind that cache shares
// tokens and the right to mint them across processes.

import {
  type CozeAuthLogger,
  aborted,
  DEFAULT_TIMEOUT_MS,
  expectObject,
  expectOptions,
  fail,
  type FetchLike,
  func,
  get,
  isObject,
  kindOf,
  type Log,
  loggerOf,
  millis,
  nodeWasm,
  nowSeconds,
  randomBytes,
  type RequestOptions,
  send,
  type SentResponse,
  type Signal,
  signalOf,
  sleep,
  string,
} from './core.js';
import type { CozeBaseURL } from './constants.js';
import { encoder, type HttpRequest, readTokenResponse, type Wasm } from './seam.js';
import { fromBase64, toBase64Url } from './base64.js';
import { denied } from './deno.js';
import { makeSigner, readKeyFile, type Signer } from './host.js';
import {
  botChatScopeOp,
  jwtCheckFlow,
  type JwtFlowArgs,
  type JwtParamsArgs,
  jwtAssertion,
  type JwtPlanResult,
  jwtPlan,
  jwtPrivateKey,
  type JwtScope,
} from './seam-node.js';
import { decodeEntry, encodeEntry, memoryTokenStore, type TokenStore, type TokenStoreLock } from './token-store.js';

export type { JwtScope } from './seam-node.js';

export type { CozeAuthLogger } from './core.js';

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
 * Options of {@link OAuthJWTFlow}. `baseURL`, `appId`, `keyid` and `privateKey` fall back to the
 * environment (an empty variable counts as unset; edge runtimes have none: pass them); a missing
 * required value throws at construction, naming the option and its variables.
 */
export interface OAuthJWTFlowOptions {
  /** API base URL. Else `COZELOOP_API_BASE_URL`, `COZE_API_BASE`, then {@link COZE_CN_BASE_URL}. */
  baseURL?: CozeBaseURL;
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
  algorithm?: 'RS256';
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
  /**
   * Where `getAccessToken` shares tokens beyond this flow's in-process copy, and the lock that
   * lets one caller of all that share it mint while the others wait: e.g. `redisTokenStore` of
   * `coze-auth/redis` for a fleet of processes. Default: a {@link memoryTokenStore} of this flow's
   * own (the in-process cache). The store holds bearer tokens, never the key or an assertion.
   */
  tokenStore?: TokenStore;
  /**
   * Time limit of each call to `tokenStore`, in milliseconds. Default 250. A store that fails or
   * is slower is left alone for 30 s (the flow mints by itself meanwhile), said once via `logger`.
   */
  storeTimeoutMs?: number;
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
  /**
   * Absolute expiry, in Unix seconds on Coze's clock, as Coze sent it (which may be minutes off
   * the local clock: `getAccessToken` judges freshness by the lifetime Coze granted instead).
   */
  expires_in: number;
  /** Usually `"Bearer"`. */
  token_type?: string;
}

/** The options that fall back to the environment. */
type EnvOption = 'baseURL' | 'appId' | 'keyid' | 'privateKey';

/** The environment variables each option falls back to, in order (cozeloop's, then Coze's). */
const ENV: Record<EnvOption, string[]> = {
  baseURL: ['COZELOOP_API_BASE_URL', 'COZE_API_BASE'],
  appId: ['COZELOOP_JWT_OAUTH_CLIENT_ID', 'COZE_JWT_OAUTH_CLIENT_ID'],
  keyid: ['COZELOOP_JWT_OAUTH_PUBLIC_KEY_ID', 'COZE_JWT_OAUTH_PUBLIC_KEY_ID'],
  privateKey: ['COZELOOP_JWT_OAUTH_PRIVATE_KEY', 'COZE_JWT_OAUTH_PRIVATE_KEY'],
};
/** Names a PEM file, the last fallback of `privateKey`. */
const KEY_FILE_ENV = 'COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH';
/** Cached tokens kept per flow (one per distinct grant parameters); the oldest goes first. */
const MAX_CACHED = 256;
/** The default of `storeTimeoutMs`: a store on the local network answers in about a millisecond. */
const STORE_TIMEOUT_MS = 250;
/** How long a store that failed is left alone: one slow call per mint would make it worse than none. */
const STORE_RETRY_MS = 30_000;
/** Added to the request timeout to make the mint lock's lifetime: signing and the store's write. */
const LOCK_MARGIN_MS = 1000;
/** The back-off of a caller waiting for another holder's token: from the first to the last, doubling. */
const WAIT_FIRST_MS = 10;
const WAIT_LAST_MS = 50;
/** The format of the store keys; a new one keeps old entries from being read. */
const STORE_KEY_VERSION = 'v1';
/** The default `durationSeconds` (the core's): the bound of the lifetime when none is given. */
const DEFAULT_DURATION_SECONDS = 900;

/**
 * An environment variable, if set and not empty (none where there is no `process`, as on an edge
 * runtime); `option` is the option it stands in for, named if Deno refuses the read.
 */
const env = (name: string, option: string): string | undefined => {
  let v: unknown;
  try {
    v = globalThis.process?.env?.[name];
  } catch (e) {
    throw denied(e, `--allow-env (or --allow-env=${name})`, `reading the environment variable ${name}`, `pass the ${option} option`) ?? e;
  }
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** `options[key]`, else the first of its environment variables that is set and not empty. */
function fromEnv(options: unknown, key: EnvOption): string | undefined {
  return string(options, key) ?? ENV[key].map((name) => env(name, key)).find((v) => v !== undefined);
}

const missing = (key: string, names: string[]) =>
  fail(`${key} is required: pass it as an option, or set ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}.`);

function required(options: unknown, key: EnvOption): string {
  const v = fromEnv(options, key);
  if (v === undefined) throw missing(key, ENV[key]);
  return v;
}

/** The PEM text: the option, the variables, then the file that KEY_FILE_ENV names. */
function privateKeyText(options: unknown): string {
  const pem = fromEnv(options, 'privateKey');
  if (pem !== undefined) return pem;
  const path = env(KEY_FILE_ENV, 'privateKey');
  if (path === undefined) throw missing('privateKey', [...ENV.privateKey, KEY_FILE_ENV]);
  return readKeyFile(KEY_FILE_ENV, path);
}

/** `sessionContext`: `{deviceInfo?: {deviceId?, customConsumer?}}`, type-checked. */
function sessionContextOf(options: unknown): JwtFlowArgs['sessionContext'] {
  const context = get(options, 'sessionContext');
  if (context == null) return undefined;
  expectObject(context, 'sessionContext');
  const info = get(context, 'deviceInfo');
  if (info == null) return {};
  expectObject(info, 'sessionContext.deviceInfo');
  return { deviceInfo: { deviceId: string(info, 'deviceId'), customConsumer: string(info, 'customConsumer') } };
}

/** `tokenStore`: an object with get, set and lock methods, or absent. */
function storeOf(options: unknown): TokenStore | undefined {
  const store = get(options, 'tokenStore');
  if (store == null) return undefined;
  if (!['get', 'set', 'lock'].every((m) => typeof get(store, m) === 'function')) {
    throw fail('tokenStore must be a TokenStore: an object with get, set and lock methods (see memoryTokenStore, or redisTokenStore of coze-auth/redis).');
  }
  return store as TokenStore;
}

/** A token and the local time (ms since the epoch) until which it is valid, by `localExpiry`. */
interface Minted {
  token: JwtToken;
  expiresAt: number;
}

/** A store call that failed or took too long: only these make the flow go on without the store. */
class StoreFailure {
  constructor(readonly reason: string) {}
}

/** Coze's clock in the answer's `Date` header (ms), if it has a valid one. */
function serverDateOf(response: unknown): number | undefined {
  try {
    const date = (get(response, 'headers') as Headers | undefined)?.get('date');
    const ms = typeof date === 'string' ? Date.parse(date) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined; // a custom fetch's odd answer: send() judges the rest
  }
}

/**
 * The freshness rule: the local time (ms) until which a token just minted is valid.
 *
 * Coze's `expires_in` is an absolute time on Coze's clock, which may be minutes off ours; read
 * against the local clock, a Coze 11 minutes fast makes a dead token look alive for 11 more
 * minutes, and one 5 minutes slow throws tokens away 5 minutes early. So the lifetime Coze
 * granted is measured on Coze's clock, `expires_in - serverNow`, and laid on ours from `sentAt`:
 * the assertion's `iat`, the local second the request was signed and sent. Coze stamped the token
 * after that moment, so the result errs early (by the request's latency), never late; whole
 * seconds throughout, like `expires_in` and `Date`, rounded down so that they err early too.
 *
 * `serverNow` is the answer's `Date` header (Coze's clock). Without one, `sentAt` stands in, which
 * makes the rule `min(expires_in, sentAt + durationSeconds)` on our clock: exact when the clocks
 * agree, early by the skew when Coze is slow, and capped when Coze is fast. In both cases the
 * lifetime never exceeds the `durationSeconds` asked for, so no clock stretches it, and a
 * negative one counts as none (the token is stale at once).
 */
function localExpiry(token: JwtToken, durationSeconds: number, sentAt: number, serverDate: number | undefined): number {
  const serverNow = serverDate !== undefined ? Math.floor(serverDate / 1000) : sentAt;
  const lifetime = Math.min(durationSeconds, token.expires_in - serverNow);
  return (sentAt + Math.max(0, lifetime)) * 1000;
}

/** A grant's parameters as the module reads them, type-checked. */
function paramsOf(params: unknown): JwtParamsArgs {
  expectObject(params, 'params', true);
  const duration = get(params, 'durationSeconds');
  if (duration != null && (typeof duration !== 'number' || !Number.isFinite(duration))) {
    throw fail('durationSeconds must be a whole number of seconds from 1 to 86399 (24 h minus 1 s); the default is 900.');
  }
  const scope = get(params, 'scope');
  if (scope != null && (!isObject(scope) || Array.isArray(scope))) throw fail('scope must be an object (see botChatScope).');
  return {
    durationSeconds: (duration as number | null | undefined) ?? undefined,
    scope: scope == null ? undefined : JSON.stringify(scope),
    accountId: string(params, 'accountId'),
    enterpriseId: string(params, 'enterpriseId'),
    sessionName: string(params, 'sessionName'),
  };
}

/** Waits for `promise`, or rejects with `aborted` as soon as `signal` fires (the work goes on). */
function untilAborted<T>(promise: Promise<T>, signal: Signal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const wasmNow = () => nodeWasm('OAuthJWTFlow');

/** The random bytes of an assertion's `jti` (the core's JTI_BYTES). */
const JTI_BYTES = 16;
let jtiPool: Uint8Array = new Uint8Array(0);
let jtiUsed = 0;

/**
 * Random bytes for one assertion's `jti`, drawn 64 assertions' worth at a time: one call of
 * getRandomValues costs about 2.5 µs in Node, whatever its size. A `jti` is no secret (it is in
 * the claims), and each is used once.
 */
function jtiRandom(): Uint8Array {
  if (jtiUsed + JTI_BYTES > jtiPool.length) {
    jtiPool = randomBytes(JTI_BYTES * 64);
    jtiUsed = 0;
  }
  return jtiPool.subarray(jtiUsed, (jtiUsed += JTI_BYTES));
}

/**
 * The JWT grant of a Coze service app, signing RS256 assertions: with Node's crypto (a KeyObject made once per flow; WebCrypto where Node refuses the key), or with WebCrypto in the edge build (Workers, Vercel Edge: pass `privateKey`, there is no environment).
 *
 * ```ts
 * const flow = new OAuthJWTFlow({ appId, keyid, privateKey }) // or from the environment
 * const { access_token } = await flow.getAccessToken()      // cached, renewed before expiry
 * ```
 *
 * Server only (Node, Bun, Deno, edge runtimes): in the browser build, the constructor throws
 * `CozeAuthError` with code `unsupported` (the private key must not reach a page).
 */
export class OAuthJWTFlow {
  #flow: JwtFlowArgs; // checked by the module
  #der: Uint8Array<ArrayBuffer>; // the private key, PKCS#8 DER
  #key: Promise<Signer> | undefined; // its signing function (made on first use, once)
  #fetch: FetchLike | undefined;
  #timeoutMs: number;
  #log: Log | undefined;
  #cache = new Map<string, Minted>(); // cache key -> token: this process's copy, in front of the store
  #inFlight = new Map<string, Promise<JwtToken>>(); // cache key -> the mint in progress
  #plans = new Map<string, JwtPlanResult>(); // grant parameters (JSON) -> the module's plan of them: a cache hit asks the module nothing
  #store: TokenStore | undefined; // tokenStore, else one of this flow's own
  #storeTimeoutMs: number;
  #storeDownUntil = 0; // local ms: the store failed, and is left alone until then
  #storeWarned = false; // its failure is told once
  #freed = false;

  /** @throws {CozeAuthError} `invalid_argument` (a missing or malformed option), `invalid_key` (an unusable key). */
  constructor(options?: OAuthJWTFlowOptions) {
    expectOptions(options, 'OAuthJWTFlow', '{ appId, keyid, privateKey, … }', true);
    const algorithm = string(options, 'algorithm');
    if (algorithm !== undefined && algorithm !== 'RS256') throw fail('algorithm must be RS256, the only algorithm Coze accepts.');
    this.#flow = {
      appId: required(options, 'appId'),
      keyid: required(options, 'keyid'),
      baseURL: fromEnv(options, 'baseURL'),
      aud: string(options, 'aud'),
      sessionName: string(options, 'sessionName'),
      sessionContext: sessionContextOf(options),
    };
    this.#fetch = func(options, 'fetch') as FetchLike | undefined;
    this.#timeoutMs = millis(options, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
    this.#log = loggerOf(options, 'OAuthJWTFlow');
    this.#store = storeOf(options) ?? memoryTokenStore();
    this.#storeTimeoutMs = millis(options, 'storeTimeoutMs') ?? STORE_TIMEOUT_MS;
    const pem = privateKeyText(options);
    const wasm = wasmNow();
    jwtCheckFlow(wasm, { flow: this.#flow });
    this.#der = fromBase64(jwtPrivateKey(wasm, encoder.encode(pem)).der, 'base64url');
  }

  #wasm(): Wasm {
    if (this.#freed) throw fail('This object was freed with free(); create a new one.');
    return wasmNow();
  }

  /** The signing key, made once per flow (host.ts; tests/package/node/jwt.test.mjs checks the signature against the Rust signer's fixture). */
  #signingKey(): Promise<Signer> {
    return (this.#key ??= makeSigner(this.#der));
  }

  /**
   * A fresh assertion for `params` (checked), issued at `iat`, signed: the JWT in compact form,
   * and the token request that sends it (one call into the module for both).
   */
  async #assertion(wasm: Wasm, params: JwtParamsArgs, iat: number): Promise<{ jwt: string; request: HttpRequest }> {
    const { signingInput, request } = jwtAssertion(wasm, { flow: this.#flow, params, now: iat }, jtiRandom());
    const signer = await this.#signingKey();
    const jwt = `${signingInput}.${toBase64Url(await signer(encoder.encode(signingInput)))}`;
    // The module built the request for the signing input: the signature completes its bearer.
    const headers = request.headers;
    if (headers.authorization !== `Bearer ${signingInput}`) throw fail('The module built an unexpected JWT token request.', 'internal');
    headers.authorization = `Bearer ${jwt}`;
    return { jwt, request };
  }

  /** One grant: a fresh assertion, signed, sent; the answer read by the module; its local expiry by `localExpiry`. */
  async #mint(wasm: Wasm, params: JwtParamsArgs, signal: Signal | undefined): Promise<Minted> {
    const iat = nowSeconds(); // sentAt of the freshness rule: taken before anything is signed or sent
    const { jwt, request } = await this.#assertion(wasm, params, iat);
    // The answer's Date header, read on the way through (send() keeps only what the module reads).
    let serverDate: number | undefined;
    const own = this.#fetch;
    const fetchFn: FetchLike = async (url, init) => {
      const response = await (own ? own(url, init) : fetch(url, init));
      serverDate = serverDateOf(response);
      return response;
    };
    const started = Date.now();
    let response: SentResponse;
    try {
      response = await send(fetchFn, this.#timeoutMs, signal, request);
    } catch (e) {
      this.#log?.(`POST ${request.url} failed (${(e as { code?: string } | undefined)?.code ?? 'error'}) after ${Date.now() - started} ms`);
      throw e;
    }
    const { status, logId, retryAfter, tooLarge, body } = response;
    const res = { status, logId, retryAfter, tooLarge };
    this.#log?.(`POST ${request.url} -> ${res.status} (logId ${res.logId ?? 'none'}) in ${Date.now() - started} ms`);
    const token: JwtToken = readTokenResponse(wasm, { response: res, now: nowSeconds(), secret1: jwt }, body);
    return { token, expiresAt: localExpiry(token, params.durationSeconds ?? DEFAULT_DURATION_SECONDS, iat, serverDate) };
  }

  /**
   * The store key of a grant: everything that makes its tokens differ, hashed (scopes and session
   * names stay out of the store's key space). WebCrypto's digest: the class also runs on edge
   * runtimes, which have no node:crypto.
   */
  async #storeKey(cacheKey: string): Promise<string> {
    const f = this.#flow;
    const what = JSON.stringify([STORE_KEY_VERSION, f.baseURL ?? null, f.aud ?? null, f.appId, f.keyid, f.sessionContext ?? null, cacheKey]);
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(what)));
    return `jwt:${toBase64Url(digest)}`;
  }

  /** `call` to the store, bounded by storeTimeoutMs; any failure becomes a StoreFailure. */
  async #storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ms = this.#storeTimeoutMs;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreFailure(`${what} took more than ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([Promise.resolve().then(call), late]);
    } catch (e) {
      if (e instanceof StoreFailure) throw e;
      // A client's message names the problem (refused, NOAUTH, NOPERM), never a stored value.
      const message = String((e as { message?: unknown } | undefined)?.message ?? e).split('\n')[0]!.slice(0, 160);
      throw new StoreFailure(`${what} failed: ${message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Leaves the store alone for a while, and says so the first time. */
  #storeFailed(failure: StoreFailure): void {
    this.#storeDownUntil = Date.now() + STORE_RETRY_MS;
    if (this.#storeWarned) {
      this.#log?.(`token store: ${failure.reason}; minting in this process`);
      return;
    }
    this.#storeWarned = true;
    this.#log?.(`token store unavailable (${failure.reason}): minting in this process, as without a store; trying it again after ${STORE_RETRY_MS / 1000} s`, 'warn');
  }

  /** A fresh token of the store, checked like Coze's answer, or undefined (none, stale or corrupt). */
  async #read(store: TokenStore, key: string, marginMs: number): Promise<Minted | undefined> {
    const asked = Date.now(); // the store measured the TTL after this: asked + ttl errs early
    const entry = await this.#storeCall('get', () => store.get(key));
    if (!entry) return undefined;
    const token = decodeEntry(entry);
    if (!token) {
      this.#log?.('token store: ignored an entry that is not a valid token (it will be replaced)');
      return undefined;
    }
    const expiresAt = asked + entry.ttlMs;
    return Date.now() < expiresAt - marginMs ? { token, expiresAt } : undefined;
  }

  /**
   * A token for `cacheKey` from the store, else minted by one caller of all that share the store:
   * the holder of the store's lock mints and writes; the others read the entry with a short
   * back-off while the lock lives, and take the lock over once it expires (a dead holder). A
   * store that fails is left alone: the token is minted here, as without a store.
   */
  async #obtain(wasm: Wasm, params: JwtParamsArgs, cacheKey: string, marginMs: number): Promise<Minted> {
    const store = Date.now() < this.#storeDownUntil ? undefined : this.#store;
    if (!store) return this.#mint(wasm, params, undefined);
    const key = await this.#storeKey(cacheKey);
    // The lock outlives no mint: the request's own deadline, plus signing and the store's write.
    const lockMs = this.#timeoutMs + LOCK_MARGIN_MS;
    // A waiter sees the lock expire at most lockMs after it first looks, and a taker mint within
    // the next lockMs; past both, something else is wrong, and it mints itself rather than hang.
    const giveUpAt = Date.now() + 2 * lockMs;
    let backOff = WAIT_FIRST_MS;
    try {
      for (;;) {
        const stored = await this.#read(store, key, marginMs);
        if (stored) return stored;
        const lock = await this.#storeCall('lock', () => store.lock(key, lockMs));
        if (lock) return await this.#mintHolding(wasm, params, store, key, marginMs, lock);
        if (Date.now() >= giveUpAt) break;
        await sleep(backOff + Math.floor(Math.random() * backOff), undefined); // jitter: waiters do not ask in step
        backOff = Math.min(backOff * 2, WAIT_LAST_MS);
      }
      this.#log?.(`token store: no token from the lock's holder within ${2 * lockMs} ms; minting in this process`);
    } catch (e) {
      if (!(e instanceof StoreFailure)) throw e;
      this.#storeFailed(e);
    }
    return this.#mint(wasm, params, undefined);
  }

  /** Holding the lock: the previous holder's token if it just landed, else a new one, written for the others. */
  async #mintHolding(wasm: Wasm, params: JwtParamsArgs, store: TokenStore, key: string, marginMs: number, lock: TokenStoreLock): Promise<Minted> {
    try {
      const stored = await this.#read(store, key, marginMs);
      if (stored) return stored;
      const minted = await this.#mint(wasm, params, undefined);
      const ttlMs = minted.expiresAt - Date.now();
      if (ttlMs > 0) {
        try {
          await this.#storeCall('set', () => store.set(key, encodeEntry(minted.token), ttlMs));
        } catch (e) {
          if (!(e instanceof StoreFailure)) throw e;
          this.#storeFailed(e); // the token is good: only the others miss it
        }
      }
      return minted;
    } finally {
      // Not awaited: the caller has its token; a lock that is not released expires by itself.
      this.#storeCall('release', () => lock.release()).catch(() => {});
    }
  }

  /** Mints a new token: a fresh assertion (new `jti`), no cache. */
  async getToken(params?: JwtTokenParams): Promise<JwtToken> {
    const wasm = this.#wasm();
    const p = paramsOf(params);
    const signal = signalOf(params);
    if (signal?.aborted) throw aborted();
    return (await this.#mint(wasm, p, signal)).token; // the module checks the parameters before anything is signed
  }

  /**
   * A new signed assertion for these parameters: the RS256 JWT (compact form) that `getToken`
   * would send as `Authorization: Bearer`, for callers that send the token request themselves.
   * It is a credential: keep it out of logs. `signal` is not used (no request is made).
   */
  async createAssertion(params?: JwtTokenParams): Promise<string> {
    const wasm = this.#wasm();
    return (await this.#assertion(wasm, paramsOf(params), nowSeconds())).jwt;
  }

  /**
   * The cached token for these parameters (duration, scope, account or enterprise, session name)
   * until it expires within the margin (30 s for lifetimes of 10 minutes or more, 10 s from a
   * minute, 5 s from 30 s, else none), then a new one. Expiry is measured on the local clock from
   * when the request was sent, with the lifetime Coze granted (its clock may be off ours).
   * Concurrent callers share one request, and with a shared `tokenStore`, so do the processes
   * that share it; a failure is not cached. `signal` stops this caller's wait only.
   */
  async getAccessToken(params?: JwtTokenParams): Promise<JwtToken> {
    const wasm = this.#wasm();
    const p = paramsOf(params);
    const signal = signalOf(params);
    // The plan depends on the flow (fixed) and the parameters only; parameters the module
    // refused throw here every time, as they are never kept.
    const planKey = JSON.stringify(p);
    let plan = this.#plans.get(planKey);
    if (!plan) {
      plan = jwtPlan(wasm, { flow: this.#flow, params: p });
      if (this.#plans.size >= MAX_CACHED) this.#plans.delete(this.#plans.keys().next().value!);
      this.#plans.set(planKey, plan);
    }
    const { cacheKey, marginSeconds } = plan;
    const marginMs = marginSeconds * 1000;
    const cached = this.#cache.get(cacheKey);
    if (cached && Date.now() < cached.expiresAt - marginMs) return { ...cached.token };
    let minting = this.#inFlight.get(cacheKey);
    if (!minting) {
      // The shared mint obeys no caller's signal: one caller giving up must not fail the others.
      minting = this.#obtain(wasm, p, cacheKey, marginMs).then(
        (minted) => {
          this.#inFlight.delete(cacheKey);
          this.#cache.delete(cacheKey);
          if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value!);
          if (!this.#freed) this.#cache.set(cacheKey, minted);
          return minted.token;
        },
        (e) => {
          this.#inFlight.delete(cacheKey);
          throw e;
        },
      );
      minting.catch(() => {}); // every caller may have given up; the rejection is theirs to see
      this.#inFlight.set(cacheKey, minting);
    }
    return { ...(await untilAborted(minting, signal)) };
  }

  /**
   * Drops this flow's cached tokens (not those of a `tokenStore` it was given) and marks the
   * object freed: later calls reject with a `CozeAuthError`. A token request already under way
   * still answers the callers waiting for it, and its token is not cached. It holds no
   * WebAssembly memory. Idempotent.
   */
  free(): void {
    this.#freed = true;
    this.#cache.clear();
    this.#inFlight.clear();
    this.#plans.clear();
    this.#store = undefined;
  }
}

/**
 * The "channel" scope on `botIds` (empty: not limited to bots), allowing `permissions` on them
 * (default `['Connector.botChat']`, as the official SDKs build it). Node only.
 */
export function botChatScope(botIds: readonly string[], permissions?: readonly string[]): JwtScope {
  const wasm = wasmNow();
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const what = (v: unknown) => (Array.isArray(v) ? 'an array with an item that is not a string' : kindOf(v));
  if (!strings(botIds)) throw fail(`botIds must be an array of strings; received ${what(botIds)}.`);
  if (permissions !== undefined && !strings(permissions)) throw fail(`permissions must be an array of strings; received ${what(permissions)}.`);
  return botChatScopeOp(wasm, { botIds, permissions });
}
