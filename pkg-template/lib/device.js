// DeviceOAuthApp: the device code flow (RFC 8628 with Coze's quirks) for command-line tools
// and devices without a browser. The polling policy (intervals, slow_down, expiry, back-off)
// is the core's state machine (src/core/device.rs); this file sleeps and sends when it says so.

import {
  DEFAULT_TIMEOUT_MS,
  expectObject,
  fail,
  func,
  get,
  loadedWasm,
  loadWasm,
  millis,
  run,
  send,
  sendAndRead,
  signalOf,
  sleep,
  string,
} from './core.js';
import { op } from './node-ops.js';

/** Device codes this app handed out, remembered for their interval and expiry (bounded). */
const REMEMBERED_CODES = 32;

/** Device code login for CLIs, TVs and other devices without a browser. See index.d.ts. */
export class DeviceOAuthApp {
  #app; // {clientId, baseURL}, checked by the module with every call
  #fetch;
  #timeoutMs;
  #freed = false;
  #checked = false;
  #codes = new Map(); // device_code -> {interval, expiresAt}

  constructor(options) {
    expectObject(options, 'options');
    this.#app = { clientId: string(options, 'clientId', true), baseURL: string(options, 'baseURL') };
    this.#fetch = func(options, 'fetch');
    this.#timeoutMs = millis(options, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
    const wasm = loadedWasm();
    if (wasm) this.#check(wasm);
  }

  #check(wasm) {
    if (!this.#checked) run(wasm, op.DEVICE_CHECK, this.#app);
    this.#checked = true;
    return wasm;
  }

  async #wasm() {
    if (this.#freed) throw fail('This object was freed with free(); create a new one.');
    return this.#check(await loadWasm());
  }

  /** Sends a request the module built; the module then reads the answer with `read`. */
  async #call(wasm, request, signal, read, extra) {
    return sendAndRead(wasm, this.#fetch, this.#timeoutMs, signal, request, read, extra);
  }

  async getDeviceCode(params) {
    const wasm = await this.#wasm();
    expectObject(params, 'params', true);
    const request = run(wasm, op.DEVICE_CODE, { ...this.#app, workspaceId: string(params, 'workspaceId') });
    const dc = await this.#call(wasm, request, signalOf(params), op.DEVICE_CODE_READ);
    if (this.#codes.size >= REMEMBERED_CODES) this.#codes.delete(this.#codes.keys().next().value);
    this.#codes.set(dc.device_code, { interval: dc.interval, expiresAt: dc.expires_in });
    return dc;
  }

  async getAccessToken(params) {
    const wasm = await this.#wasm();
    expectObject(params, 'params');
    const deviceCode = string(params, 'deviceCode', true);
    const signal = signalOf(params);
    const onPending = func(params, 'onPending');
    const poll = get(params, 'poll');
    if (poll != null && typeof poll !== 'boolean') throw fail('poll must be a boolean.');
    const request = run(wasm, op.DEVICE_POLL, { ...this.#app, deviceCode });
    if (!poll) return this.#call(wasm, request, signal, op.DEVICE_POLL_READ, { deviceCode });

    const known = this.#codes.get(deviceCode) ?? {};
    let step = run(wasm, op.DEVICE_POLLER, { deviceCode, ...known, nowMs: Date.now() });
    try {
      for (;;) {
        if (step.token) return step.token;
        if (step.wait !== undefined) {
          await sleep(step.wait - Date.now(), signal);
          step = run(wasm, op.DEVICE_POLLER, { poller: step.poller, nowMs: Date.now() });
          continue;
        }
        let response;
        let failure;
        try {
          response = await send(this.#fetch, this.#timeoutMs, signal, request);
        } catch (e) {
          // Timeouts and network failures are for the policy to retry; anything else ends it.
          if (e?.code !== 'timeout' && e?.code !== 'network_error') throw e;
          failure = { code: e.code, message: e.message };
        }
        const { body, ...res } = response ?? {};
        step = run(wasm, op.DEVICE_POLLER, { poller: step.poller, nowMs: Date.now(), response: response && res, failure }, body);
        if (step.pending && onPending) {
          const { attempt, interval, expiresAt, slowDown } = step.pending;
          onPending({ attempt, interval, expiresAt, slowDown });
        }
      }
    } finally {
      this.#codes.delete(deviceCode);
    }
  }

  async refreshAccessToken(refreshToken, options) {
    const wasm = await this.#wasm();
    expectObject(options, 'options', true);
    if (typeof refreshToken !== 'string') throw fail('refreshToken must be a string.');
    const request = run(wasm, op.DEVICE_REFRESH, { ...this.#app, refreshToken });
    return this.#call(wasm, request, signalOf(options), op.TOKEN, { secret1: refreshToken });
  }

  /** Releases the object (further calls fail). Idempotent. */
  free() {
    this.#freed = true;
    this.#codes.clear();
  }
}
