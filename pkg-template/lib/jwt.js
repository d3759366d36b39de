// OAuthJWTFlow: the JWT grant of Coze's service apps (Node only: it holds a private key). The
// module parses the key once (any PEM → PKCS#8 DER), builds each assertion's signing input and
// the token request, and reads the answer; this file signs (node:crypto, else WebCrypto), joins
// the JWT (signing input "." base64url signature), sends, and keeps the token cache (a token
// per grant parameters, replaced the core's margin before it expires, one shared request per
// parameters while a mint is in flight).

import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  aborted,
  DEFAULT_TIMEOUT_MS,
  encoder,
  expectObject,
  fail,
  func,
  get,
  isObject,
  millis,
  nodeWasm,
  nowSeconds,
  randomBytes,
  run,
  send,
  signalOf,
  string,
} from './core.js';
import { op } from './node-ops.js';

/** The environment variables each option falls back to, in order (cozeloop's, then Coze's). */
const ENV = {
  baseURL: ['COZELOOP_API_BASE_URL', 'COZE_API_BASE'],
  appId: ['COZELOOP_JWT_OAUTH_CLIENT_ID', 'COZE_JWT_OAUTH_CLIENT_ID'],
  keyid: ['COZELOOP_JWT_OAUTH_PUBLIC_KEY_ID', 'COZE_JWT_OAUTH_PUBLIC_KEY_ID'],
  privateKey: ['COZELOOP_JWT_OAUTH_PRIVATE_KEY', 'COZE_JWT_OAUTH_PRIVATE_KEY'],
};
/** Names a PEM file, the last fallback of `privateKey`. */
const KEY_FILE_ENV = 'COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH';
const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
/** Cached tokens kept per flow (one per distinct grant parameters); the oldest goes first. */
const MAX_CACHED = 256;

const env = (name) => {
  const v = globalThis.process?.env?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** `options[key]`, else the first of its environment variables that is set and not empty. */
function fromEnv(options, key) {
  return string(options, key) ?? ENV[key].map(env).find((v) => v !== undefined);
}

const missing = (key, names) =>
  fail(`${key} is required: pass it as an option, or set ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}.`);

function required(options, key) {
  const v = fromEnv(options, key);
  if (v === undefined) throw missing(key, ENV[key]);
  return v;
}

/** The PEM text: the option, the variables, then the file that KEY_FILE_ENV names. */
function privateKeyText(options) {
  const pem = fromEnv(options, 'privateKey');
  if (pem !== undefined) return pem;
  const path = env(KEY_FILE_ENV);
  if (path === undefined) throw missing('privateKey', [...ENV.privateKey, KEY_FILE_ENV]);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw fail(`Could not read the private key file that ${KEY_FILE_ENV} names (${path}): ${e?.code ?? 'unreadable'}.`);
  }
}

/** `sessionContext`: `{deviceInfo?: {deviceId?, customConsumer?}}`, type-checked. */
function sessionContextOf(options) {
  const context = get(options, 'sessionContext');
  if (context == null) return undefined;
  expectObject(context, 'sessionContext');
  const info = get(context, 'deviceInfo');
  if (info == null) return {};
  expectObject(info, 'sessionContext.deviceInfo');
  return { deviceInfo: { deviceId: string(info, 'deviceId'), customConsumer: string(info, 'customConsumer') } };
}

/** `logger`: a function `(message, level)` or an object with `debug(message)`; errors it throws are ignored. */
function loggerOf(options) {
  const logger = get(options, 'logger');
  if (logger == null) return undefined;
  const debug = typeof logger === 'function' ? (line) => logger(line, 'debug') : typeof get(logger, 'debug') === 'function' ? (line) => logger.debug(line) : undefined;
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
function paramsOf(params) {
  expectObject(params, 'params', true);
  const duration = get(params, 'durationSeconds');
  if (duration != null && (typeof duration !== 'number' || !Number.isFinite(duration))) {
    throw fail('durationSeconds must be a whole number of seconds from 1 to 86399 (24 h minus 1 s); the default is 900.');
  }
  const scope = get(params, 'scope');
  if (scope != null && (!isObject(scope) || Array.isArray(scope))) throw fail('scope must be an object (see botChatScope).');
  return {
    durationSeconds: duration ?? undefined,
    scope: scope == null ? undefined : JSON.stringify(scope),
    accountId: string(params, 'accountId'),
    enterpriseId: string(params, 'enterpriseId'),
    sessionName: string(params, 'sessionName'),
  };
}

/** Waits for `promise`, or rejects with `aborted` as soon as `signal` fires (the work goes on). */
function untilAborted(promise, signal) {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const wasmNow = () => nodeWasm('OAuthJWTFlow');

/** The JWT grant of a Coze service app, with a self-renewing token cache. See index.d.ts. */
export class OAuthJWTFlow {
  #flow; // {appId, keyid, baseURL, aud, sessionName, sessionContext}, checked by the module
  #der; // the private key, PKCS#8 DER
  #key; // the promise of its signing function (made on first use, once)
  #fetch;
  #timeoutMs;
  #log;
  #cache = new Map(); // cache key -> {token, refreshAt}
  #inFlight = new Map(); // cache key -> the promise of the mint in progress
  #freed = false;

  constructor(options) {
    expectObject(options, 'options', true);
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
    this.#fetch = func(options, 'fetch');
    this.#timeoutMs = millis(options, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
    this.#log = loggerOf(options);
    const pem = privateKeyText(options);
    const wasm = wasmNow();
    run(wasm, op.JWT_CHECK, { flow: this.#flow });
    this.#der = Buffer.from(run(wasm, op.JWT_KEY, {}, encoder.encode(pem)).der, 'base64url');
  }

  #wasm() {
    if (this.#freed) throw fail('This object was freed with free(); create a new one.');
    return wasmNow();
  }

  /**
   * The signing key, made once per flow. Node's own KeyObject signs RS256 about 1.5× faster than
   * `crypto.subtle` here (0.27 against 0.42 ms), and the signature is the same (RS256 is
   * deterministic; tests/js/jwt.test.mjs checks both against the fixture the Rust signer
   * matches). Where node:crypto cannot take the key, WebCrypto is asked. A key neither takes is
   * `invalid_key` (no cause kept: it might echo key bytes).
   */
  #signingKey() {
    if (!this.#key) {
      try {
        const key = createPrivateKey({ key: this.#der, format: 'der', type: 'pkcs8' });
        this.#key = Promise.resolve((data) => sign('sha256', data, key));
      } catch {
        this.#key = globalThis.crypto.subtle.importKey('pkcs8', this.#der, RS256, false, ['sign']).then(
          (key) => async (data) => new Uint8Array(await globalThis.crypto.subtle.sign(RS256, key, data)),
          () => {
            throw fail('The private key cannot be used: Node refused it (its RSA numbers are probably inconsistent). Download a new key pair from the Coze console.', 'invalid_key');
          },
        );
      }
    }
    return this.#key;
  }

  /** A fresh assertion for `params` (checked), signed: the JWT in compact form. */
  async #assertion(wasm, params) {
    const { signingInput } = run(wasm, op.JWT_SIGNING_INPUT, { flow: this.#flow, params, now: nowSeconds() }, randomBytes());
    const signer = await this.#signingKey();
    const signature = await signer(encoder.encode(signingInput));
    return `${signingInput}.${Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('base64url')}`;
  }

  /** One grant: a fresh assertion, signed, sent; the answer read by the module. */
  async #mint(wasm, params, signal) {
    const jwt = await this.#assertion(wasm, params);
    const { request } = run(wasm, op.JWT_REQUEST, { flow: this.#flow, params, jwt });
    const started = Date.now();
    let response;
    try {
      response = await send(this.#fetch, this.#timeoutMs, signal, request);
    } catch (e) {
      this.#log?.(`POST ${request.url} failed (${e?.code ?? 'error'}) after ${Date.now() - started} ms`);
      throw e;
    }
    const { body, ...res } = response;
    this.#log?.(`POST ${request.url} -> ${res.status} (logId ${res.logId ?? 'none'}) in ${Date.now() - started} ms`);
    return run(wasm, op.TOKEN, { ...res, now: nowSeconds(), secret1: jwt }, body);
  }

  /** Mints a new token (no cache): `{access_token, expires_in, token_type}`. */
  async getToken(params) {
    const wasm = this.#wasm();
    const p = paramsOf(params);
    const signal = signalOf(params);
    if (signal?.aborted) throw aborted();
    return this.#mint(wasm, p, signal); // the module checks the parameters before anything is signed
  }

  /**
   * A new signed assertion for these parameters (the JWT this flow would send as
   * `Authorization: Bearer`), for callers that send the token request themselves.
   */
  async createAssertion(params) {
    const wasm = this.#wasm();
    return this.#assertion(wasm, paramsOf(params));
  }

  /**
   * The cached token for these parameters while it is fresh, else a new one; concurrent callers
   * with the same parameters share one request, and a failure is not cached.
   */
  async getAccessToken(params) {
    const wasm = this.#wasm();
    const p = paramsOf(params);
    const signal = signalOf(params);
    const { cacheKey, marginSeconds } = run(wasm, op.JWT_PARAMS, { flow: this.#flow, params: p });
    const cached = this.#cache.get(cacheKey);
    if (cached && nowSeconds() < cached.refreshAt) return { ...cached.token };
    let minting = this.#inFlight.get(cacheKey);
    if (!minting) {
      // The shared mint obeys no caller's signal: one caller giving up must not fail the others.
      minting = this.#mint(wasm, p, undefined).then(
        (token) => {
          this.#inFlight.delete(cacheKey);
          this.#cache.delete(cacheKey);
          if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value);
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

  /** Drops the cached tokens and releases the object (further calls fail). Idempotent. */
  free() {
    this.#freed = true;
    this.#cache.clear();
    this.#inFlight.clear();
  }
}

/** The "channel" scope: `Connector.botChat`, limited to `botIds` (an empty list: no limit). */
export function botChatScope(botIds) {
  return run(wasmNow(), op.BOT_CHAT_SCOPE, { botIds });
}
