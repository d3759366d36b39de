// WebOAuthApp: the authorization code flow of Coze's web apps, confidential clients with a client
// secret (Node only: the secret must never reach a page). The module builds the authorize URL
// (with a fresh state), checks the callback's state in constant time, and builds the exchange and
// refresh with `Authorization: Bearer <client_secret>`; this file sends them.

import {
  DEFAULT_TIMEOUT_MS,
  expectObject,
  fail,
  func,
  millis,
  nodeWasm,
  randomBytes,
  run,
  sendAndRead,
  signalOf,
  string,
} from './core.js';
import { op } from './node-ops.js';

/** Server-side login for web apps with a client secret. See index.d.ts. */
export class WebOAuthApp {
  #app; // {clientId, clientSecret, baseURL, wwwBaseURL}, checked by the module with every call
  #fetch;
  #timeoutMs;
  #freed = false;

  constructor(options) {
    expectObject(options, 'options');
    this.#app = {
      clientId: string(options, 'clientId', true),
      clientSecret: string(options, 'clientSecret', true),
      baseURL: string(options, 'baseURL'),
      wwwBaseURL: string(options, 'wwwBaseURL'),
    };
    this.#fetch = func(options, 'fetch');
    this.#timeoutMs = millis(options, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
    run(this.#wasm(), op.WEB_CHECK, this.#app);
  }

  #wasm() {
    if (this.#freed) throw fail('This object was freed with free(); create a new one.');
    return nodeWasm('WebOAuthApp');
  }

  /** Sends a request the module built; the module reads the answer, scrubbing `secret` and the client secret. */
  async #token(wasm, request, signal, secret) {
    return sendAndRead(wasm, this.#fetch, this.#timeoutMs, signal, request, op.TOKEN, { secret1: secret, secret2: this.#app.clientSecret });
  }

  #exchange(wasm, code, redirectUri, signal) {
    const request = run(wasm, op.WEB_EXCHANGE, { ...this.#app, code, redirectUri });
    return this.#token(wasm, request, signal, code);
  }

  /** The authorize URL and its state (fresh unless given): keep the state in the user's session. */
  async getOAuthUrl(params) {
    const wasm = this.#wasm();
    expectObject(params, 'params');
    const args = { ...this.#app, redirectUri: string(params, 'redirectUri', true), state: string(params, 'state'), workspaceId: string(params, 'workspaceId') };
    const { url, state } = run(wasm, op.WEB_AUTHORIZE, args, randomBytes());
    return { url, state };
  }

  /** Exchanges a callback's code (`Authorization: Bearer <client_secret>`, no secret in the body). */
  async getAccessToken(params) {
    const wasm = this.#wasm();
    expectObject(params, 'params');
    const code = string(params, 'code', true);
    const redirectUri = string(params, 'redirectUri', true);
    return this.#exchange(wasm, code, redirectUri, signalOf(params));
  }

  /** Checks the callback URL's state against the login's (constant time), then exchanges its code. */
  async handleCallback(url, options) {
    const wasm = this.#wasm();
    if (typeof url !== 'string') throw fail('handleCallback needs the callback URL as a string.');
    expectObject(options, 'options');
    const state = string(options, 'state', true);
    const redirectUri = string(options, 'redirectUri', true);
    const signal = signalOf(options);
    const { code } = run(wasm, op.WEB_CALLBACK, { ...this.#app, url, state });
    return this.#exchange(wasm, code, redirectUri, signal);
  }

  /** Trades a refresh token for a new token. Store the returned `refresh_token`: it may rotate. */
  async refreshAccessToken(refreshToken, options) {
    const wasm = this.#wasm();
    expectObject(options, 'options', true);
    if (typeof refreshToken !== 'string') throw fail('refreshToken must be a string.');
    const request = run(wasm, op.WEB_REFRESH, { ...this.#app, refreshToken });
    return this.#token(wasm, request, signalOf(options), refreshToken);
  }

  /** Releases the object (further calls fail). Idempotent. */
  free() {
    this.#freed = true;
  }
}
