// DeviceOAuthApp: the device code flow (RFC 8628 with Coze's quirks) for command-line tools
// and devices without a browser. The polling policy (intervals, slow_down, expiry, back-off)
// is the core's state machine (src/core/device.rs); this file sleeps and sends when it says so.

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
  type OAuthToken,
  type Reader,
  type RequestOptions,
  send,
  sendAndRead,
  type SentResponse,
  type Signal,
  signalOf,
  sleep,
  string,
} from './core.js';
import type { CozeAuthError } from './error.js';
import { type HttpRequest, readTokenResponse, type Wasm } from './seam.js';
import {
  deviceCheckApp,
  type DeviceAppArgs,
  type DeviceCode,
  deviceCodeRequest,
  devicePollRequest,
  devicePollStep,
  deviceRefreshRequest,
  type DevicePendingInfo,
  readDeviceCodeResponse,
  readDevicePollResponse,
} from './seam-node.js';

export type { DeviceCode, DevicePendingInfo } from './seam-node.js';

/** Device codes this app handed out, remembered for their interval and expiry (bounded). */
const REMEMBERED_CODES = 32;

/** Options of {@link DeviceOAuthApp}. */
export interface DeviceOAuthAppOptions extends BaseAppOptions {}

/** Parameters of {@link DeviceOAuthApp.getDeviceCode}. */
export interface GetDeviceCodeParams extends RequestOptions {
  /** Authorize for one workspace (`/workspace_id/{id}/device/code`). */
  workspaceId?: string;
}

/** Parameters of {@link DeviceOAuthApp.getAccessToken}. */
export interface GetDeviceAccessTokenParams extends RequestOptions {
  /** `device_code` from {@link DeviceOAuthApp.getDeviceCode}. */
  deviceCode: string;
  /**
   * `true`: wait one interval, then poll until the user answers, the code expires, or `signal`
   * aborts (it then rejects with `aborted` at once, sleeping or mid-request).
   * `false` (default): one attempt; a user who has not answered yet gives a `CozeAuthError`
   * with code `oauth_error` and `errorCode` `authorization_pending` or `slow_down`.
   */
  poll?: boolean;
  /** Called after each pending poll, e.g. to show progress. An exception thrown here ends the flow. */
  onPending?: (info: DevicePendingInfo) => void;
}

/**
 * Device code login (RFC 8628) for CLIs, TVs and other devices without a browser of their own.
 *
 * ```ts
 * const app = new DeviceOAuthApp({ clientId })
 * const dc = await app.getDeviceCode()
 * console.log(`Open ${dc.verification_uri} and enter ${dc.user_code}`)
 * const token = await app.getAccessToken({ deviceCode: dc.device_code, poll: true })
 * ```
 *
 * Polling waits one interval before the first poll; `slow_down` adds 5 s to this and every
 * later interval; `access_denied`, `expired_token` and other errors end the flow; the flow ends
 * with `expired_token` at the code's expiry even if Coze keeps answering pending; network
 * failures, timeouts, 5xx and 429 are retried with back-off (honouring `Retry-After`), at most
 * 5 in a row. A device code not from this object polls every 5 s with a 30-minute expiry.
 *
 * Node only: in the browser build, the constructor throws `CozeAuthError` with code
 * `unsupported` (a page logs in with {@link PKCEOAuthApp}).
 */
export class DeviceOAuthApp {
  #app: DeviceAppArgs; // checked by the module with every call
  #fetch: FetchLike | undefined;
  #timeoutMs: number;
  #log: Log | undefined;
  #freed = false;
  #checked = false;
  #codes = new Map<string, { interval: number; expiresAt: number }>(); // device_code -> its interval and expiry

  /** @throws {CozeAuthError} `invalid_argument` when an option is missing or malformed (see {@link PKCEOAuthApp}). */
  constructor(options: DeviceOAuthAppOptions) {
    expectOptions(options, 'DeviceOAuthApp', '{ clientId, baseURL?, … }');
    // baseURL falls back to COZE_API_BASE, as the JWT flow's does.
    this.#app = { clientId: string(options, 'clientId', true), baseURL: baseURLOf(options) };
    this.#fetch = func(options, 'fetch') as FetchLike | undefined;
    this.#timeoutMs = millis(options, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS;
    this.#log = loggerOf(options, 'DeviceOAuthApp');
    const wasm = loadedWasm();
    if (wasm) this.#check(wasm);
  }

  #check(wasm: Wasm): Wasm {
    if (!this.#checked) deviceCheckApp(wasm, { app: this.#app });
    this.#checked = true;
    return wasm;
  }

  async #wasm(): Promise<Wasm> {
    if (this.#freed) throw fail('This object was freed with free(); create a new one.');
    return this.#check(await loadWasm());
  }

  /** Sends a request the module built; the module then reads the answer with `read`. */
  async #call<Args extends object, Result>(wasm: Wasm, request: HttpRequest, signal: Signal | undefined, read: Reader<Args, Result>, extra: Args): Promise<Result> {
    return sendAndRead(wasm, this.#fetch, this.#timeoutMs, signal, request, read, extra, this.#log);
  }

  /** Asks Coze for a device code and a user code (`POST /api/permission/oauth2/device/code`). */
  async getDeviceCode(params?: GetDeviceCodeParams): Promise<DeviceCode> {
    const wasm = await this.#wasm();
    expectObject(params, 'params', true);
    const request = deviceCodeRequest(wasm, { app: this.#app, workspaceId: string(params, 'workspaceId') });
    const dc = await this.#call(wasm, request, signalOf(params), readDeviceCodeResponse, {});
    if (this.#codes.size >= REMEMBERED_CODES) this.#codes.delete(this.#codes.keys().next().value!);
    this.#codes.set(dc.device_code, { interval: dc.interval, expiresAt: dc.expires_in });
    return dc;
  }

  /** Polls for the token once, or until the user answers with `poll: true`. */
  async getAccessToken(params: GetDeviceAccessTokenParams): Promise<OAuthToken> {
    const wasm = await this.#wasm();
    expectObject(params, 'params');
    const deviceCode = string(params, 'deviceCode', true);
    const signal = signalOf(params);
    const onPending = func(params, 'onPending') as ((info: DevicePendingInfo) => void) | undefined;
    const poll = get(params, 'poll');
    if (poll != null && typeof poll !== 'boolean') throw fail('poll must be a boolean.');
    const request = devicePollRequest(wasm, { app: this.#app, deviceCode });
    if (!poll) return this.#call(wasm, request, signal, readDevicePollResponse, { deviceCode });

    const known = this.#codes.get(deviceCode) ?? {};
    let step = devicePollStep(wasm, { deviceCode, ...known, nowMs: Date.now() });
    try {
      for (;;) {
        if (step.token) return step.token;
        if (step.wait !== undefined) {
          await sleep(step.wait - Date.now(), signal);
          step = devicePollStep(wasm, { poller: step.poller, nowMs: Date.now() });
          continue;
        }
        let response: SentResponse | undefined;
        let failure: { code: string; message: string } | undefined;
        try {
          response = await send(this.#fetch, this.#timeoutMs, signal, request, this.#log);
        } catch (e) {
          // Timeouts and network failures are for the policy to retry; anything else ends it.
          const code = (e as CozeAuthError | undefined)?.code;
          if (code !== 'timeout' && code !== 'network_error') throw e;
          failure = { code, message: (e as CozeAuthError).message };
        }
        const { body, ...res } = response ?? ({} as Partial<SentResponse>);
        step = devicePollStep(wasm, { poller: step.poller, nowMs: Date.now(), response: response && (res as SentResponse), failure }, body);
        if (step.pending && onPending) {
          const { attempt, interval, expiresAt, slowDown } = step.pending;
          onPending({ attempt, interval, expiresAt, slowDown });
        }
      }
    } finally {
      this.#codes.delete(deviceCode);
    }
  }

  /** Trades a refresh token for a new token. Store the returned `refresh_token`: it may rotate. */
  async refreshAccessToken(refreshToken: string, options?: RequestOptions): Promise<OAuthToken> {
    const wasm = await this.#wasm();
    expectObject(options, 'options', true);
    if (typeof refreshToken !== 'string') throw fail(`refreshToken must be a string; received ${kindOf(refreshToken)}.`);
    const request = deviceRefreshRequest(wasm, { app: this.#app, refreshToken });
    return this.#call(wasm, request, signalOf(options), readTokenResponse, { secret1: refreshToken });
  }

  /**
   * Marks the object freed and forgets the device codes it handed out (their interval and
   * expiry): later calls reject with a `CozeAuthError`; a poll already running goes on. It holds
   * no WebAssembly memory. Idempotent.
   */
  free(): void {
    this.#freed = true;
    this.#codes.clear();
  }
}
