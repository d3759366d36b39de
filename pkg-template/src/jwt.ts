// OAuthJWTFlow: the JWT grant of Coze's service apps (Node only: it holds a private key). The
// module parses the key once (any PEM → PKCS#8 DER), builds each assertion's signing input and
// the token request, and reads the answer; this file signs (host.ts: node:crypto in the Node
// build, WebCrypto in the edge build, which swaps in host-web.ts), joins
// the JWT (signing input "." base64url signature), sends, and keeps the token cache (a token
// per grant parameters, replaced the core's margin before it expires, one shared request per
// parameters while a mint is in flight).

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
  millis,
  nodeWasm,
  nowSeconds,
  randomBytes,
  type RequestOptions,
  send,
  type SentResponse,
  type Signal,
  signalOf,
  string,
} from './core.js';
import type { CozeBaseURL } from './constants.js';
import { encoder, readTokenResponse, type Wasm } from './seam.js';
import { fromBase64, toBase64Url } from './base64.js';
import { denied } from './deno.js';
import { makeSigner, readKeyFile, type Signer } from './host.js';
import {
  botChatScopeOp,
  jwtCheckFlow,
  type JwtFlowArgs,
  type JwtParamsArgs,
  jwtPlan,
  jwtPrivateKey,
  jwtSigningInput,
  jwtTokenRequest,
  type JwtScope,
} from './seam-node.js';

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

/** `logger`: a function `(message, level)` or an object with `debug(message)`; errors it throws are ignored. */
function loggerOf(options: unknown): ((line: string) => void) | undefined {
  const logger = get(options, 'logger');
  if (logger == null) return undefined;
  const debug =
    typeof logger === 'function'
      ? (line: string) => logger(line, 'debug')
      : typeof get(logger, 'debug') === 'function'
        ? (line: string) => (logger as { debug(message: string): void }).debug(line)
        : undefined;
  if (!debug) throw fail('logger must be a function (message, level) or an object with a debug method.');
  return (line) => {
    try {
      debug(`[coze-auth] [OAuthJWTFlow] ${line}`);
    } catch {
      // A broken logger must not break authentication.
    }
  };
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
  #log: ((line: string) => void) | undefined;
  #cache = new Map<string, { token: JwtToken; refreshAt: number }>(); // cache key -> token
  #inFlight = new Map<string, Promise<JwtToken>>(); // cache key -> the mint in progress
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
    this.#log = loggerOf(options);
    const pem = privateKeyText(options);
    const wasm = wasmNow();
    jwtCheckFlow(wasm, { flow: this.#flow });
    this.#der = fromBase64(jwtPrivateKey(wasm, encoder.encode(pem)).der, 'base64url');
  }

  #wasm(): Wasm {
    if (this.#freed) throw fail('This object was freed with free(); create a new one.');
    return wasmNow();
  }

  /** The signing key, made once per flow (host.ts; tests/js/jwt.test.mjs checks the signature against the Rust signer's fixture). */
  #signingKey(): Promise<Signer> {
    return (this.#key ??= makeSigner(this.#der));
  }

  /** A fresh assertion for `params` (checked), signed: the JWT in compact form. */
  async #assertion(wasm: Wasm, params: JwtParamsArgs): Promise<string> {
    const { signingInput } = jwtSigningInput(wasm, { flow: this.#flow, params, now: nowSeconds() }, randomBytes());
    const signer = await this.#signingKey();
    const signature = await signer(encoder.encode(signingInput));
    return `${signingInput}.${toBase64Url(signature)}`;
  }

  /** One grant: a fresh assertion, signed, sent; the answer read by the module. */
  async #mint(wasm: Wasm, params: JwtParamsArgs, signal: Signal | undefined): Promise<JwtToken> {
    const jwt = await this.#assertion(wasm, params);
    const request = jwtTokenRequest(wasm, { flow: this.#flow, params, jwt });
    const started = Date.now();
    let response: SentResponse;
    try {
      response = await send(this.#fetch, this.#timeoutMs, signal, request);
    } catch (e) {
      this.#log?.(`POST ${request.url} failed (${(e as { code?: string } | undefined)?.code ?? 'error'}) after ${Date.now() - started} ms`);
      throw e;
    }
    const { body, ...res } = response;
    this.#log?.(`POST ${request.url} -> ${res.status} (logId ${res.logId ?? 'none'}) in ${Date.now() - started} ms`);
    return readTokenResponse(wasm, { response: res, now: nowSeconds(), secret1: jwt }, body);
  }

  /** Mints a new token: a fresh assertion (new `jti`), no cache. */
  async getToken(params?: JwtTokenParams): Promise<JwtToken> {
    const wasm = this.#wasm();
    const p = paramsOf(params);
    const signal = signalOf(params);
    if (signal?.aborted) throw aborted();
    return this.#mint(wasm, p, signal); // the module checks the parameters before anything is signed
  }

  /**
   * A new signed assertion for these parameters: the RS256 JWT (compact form) that `getToken`
   * would send as `Authorization: Bearer`, for callers that send the token request themselves.
   * It is a credential: keep it out of logs. `signal` is not used (no request is made).
   */
  async createAssertion(params?: JwtTokenParams): Promise<string> {
    const wasm = this.#wasm();
    return this.#assertion(wasm, paramsOf(params));
  }

  /**
   * The cached token for these parameters (duration, scope, account or enterprise, session name)
   * until it expires within the margin (30 s for lifetimes of 10 minutes or more, 10 s from a
   * minute, 5 s from 30 s, else none), then a new one. Concurrent callers share one request; a
   * failure is not cached. `signal` stops this caller's wait only.
   */
  async getAccessToken(params?: JwtTokenParams): Promise<JwtToken> {
    const wasm = this.#wasm();
    const p = paramsOf(params);
    const signal = signalOf(params);
    const { cacheKey, marginSeconds } = jwtPlan(wasm, { flow: this.#flow, params: p });
    const cached = this.#cache.get(cacheKey);
    if (cached && nowSeconds() < cached.refreshAt) return { ...cached.token };
    let minting = this.#inFlight.get(cacheKey);
    if (!minting) {
      // The shared mint obeys no caller's signal: one caller giving up must not fail the others.
      minting = this.#mint(wasm, p, undefined).then(
        (token) => {
          this.#inFlight.delete(cacheKey);
          this.#cache.delete(cacheKey);
          if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value!);
          if (!this.#freed) this.#cache.set(cacheKey, { token, refreshAt: token.expires_in - marginSeconds });
          return token;
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
   * Drops the cached tokens and marks the object freed: later calls reject with a
   * `CozeAuthError`. A token request already under way still answers the callers waiting for it,
   * and its token is not cached. It holds no WebAssembly memory. Idempotent.
   */
  free(): void {
    this.#freed = true;
    this.#cache.clear();
    this.#inFlight.clear();
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
