// Browser loader: fetches and instantiates the module on first use. The `.wasm` is located
// with `new URL(..., import.meta.url)` inside the glue: Vite and webpack 5 emit it as an asset;
// esbuild does not, so esbuild users copy coze_auth_bg.wasm beside their bundle.

import init, * as glue from './coze_auth.js';
import { CozeAuthError } from './error.js';

let loading;
let ready;

export function loadedWasm() {
  return ready;
}

export function loadWasm() {
  loading ??= init().then(
    () => {
      ready = glue;
      return glue;
    },
    (cause) => {
      loading = undefined; // a later call may retry
      throw new CozeAuthError('Could not load the coze-auth WebAssembly module (coze_auth_bg.wasm). Check that your bundler or server serves it beside the JS file.', { code: 'network_error', cause });
    },
  );
  return loading;
}

/** This is the browser build: TokenAuth refuses a `pat_` token here unless told otherwise. */
export const BROWSER_BUILD = true;
