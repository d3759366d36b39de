// The package's `initWasm`: each build's loader's (wasm.js is swapped per build), re-declared
// here so that the published declarations need no WebAssembly types of the loaders.

import type { WasmSource } from './source.js';
import { initWasm as init } from './wasm.js';

/**
 * Loads coze-auth's WebAssembly module from `source`, for hosts where the automatic loading
 * cannot work: the browser build fetches `coze_auth_bg.wasm` beside its JS file, the edge build
 * imports it as a module, the Node build reads the file (beside its code, else from the
 * coze-auth installed in the working directory). Call it once, before the first use;
 * once the module is loaded it does nothing. Rejects with `CozeAuthError` code `unsupported`
 * when `source` is not the module (e.g. an HTML page served in its place: the message says
 * what arrived and what to configure).
 *
 * ```ts
 * // Cloudflare Worker with a custom build: the module the runtime compiled
 * import wasm from 'coze-auth/edge/coze_auth_bg.wasm'
 * await initWasm(wasm)
 * // a page whose bundler does not emit the .wasm: where you copied it
 * await initWasm(new URL('/assets/coze_auth_bg.wasm', location.href))
 * ```
 *
 * @param source a `WebAssembly.Module`, its bytes, a `Response` (or its promise) or a URL (in
 *   Node also a file path or a `file:` URL).
 */
export const initWasm: (source: WasmSource) => Promise<void> = init;
