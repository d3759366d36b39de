// The public classes. Each wraps an object of the WebAssembly module. Where the module is not
// loaded yet (a browser's first use), the object is created once it is, and the first call
// waits for it: no top-level await, so importing this package never blocks.

import { loadWasm, loadedWasm } from './wasm.js';
import { CozeAuthError } from './error.js';

export { CozeAuthError };

/** Coze's China region API base (the default). */
export const COZE_CN_BASE_URL = 'https://api.coze.cn';
/** Coze's global region API base. */
export const COZE_COM_BASE_URL = 'https://api.coze.com';

class WasmObject {
  #inner; // the wasm object, or a promise of it while the module loads
  #freed = false;

  constructor(className, args) {
    const wasm = loadedWasm();
    if (wasm) {
      this.#inner = new wasm[className](...args); // option errors throw here, synchronously
    } else {
      this.#inner = loadWasm().then((w) => new w[className](...args));
      this.#inner.catch(() => {}); // reported by the first call instead
    }
  }

  async _call(method, args) {
    if (this.#freed) {
      throw new CozeAuthError('This object was freed with free(); create a new one.', { code: 'invalid_argument' });
    }
    const inner = await this.#inner;
    return inner[method](...args);
  }

  /** Releases the WebAssembly memory now rather than at garbage collection. Idempotent. */
  free() {
    if (this.#freed) return;
    this.#freed = true;
    Promise.resolve(this.#inner).then((inner) => inner.free(), () => {});
  }
}

/** PKCE login for public clients (single-page apps, mobile, desktop). See index.d.ts. */
export class PKCEOAuthApp extends WasmObject {
  constructor(options) {
    super('PKCEOAuthApp', [options]);
  }
  getOAuthUrl(params) {
    return this._call('getOAuthUrl', [params]);
  }
  getAccessToken(params) {
    return this._call('getAccessToken', [params]);
  }
  refreshAccessToken(refreshToken, options) {
    return this._call('refreshAccessToken', [refreshToken, options]);
  }
  startLogin(params) {
    return this._call('startLogin', [params]);
  }
  handleCallback(url, options) {
    return this._call('handleCallback', [url, options]);
  }
}
