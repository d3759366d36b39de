// Inline loader (`coze-auth/inline`): the browser build with its WebAssembly module in the JS
// as base64, for bundlers that emit no asset for `new URL('x.wasm', import.meta.url)` (rollup,
// esbuild, bun build) and hosts with no file to fetch. It costs about 30 % more bytes than the
// .wasm (README). Edge runtimes refuse to compile bytes: they use the edge build.

import { fromBase64 } from './base64.js';
import type { Wasm } from './seam.js';
import { loadFailure, type WasmSource, wasmBytes } from './source.js';
import { instantiateFrom } from './wasm.js';
import { WASM_BASE64 } from './wasm-base64.js';
import type { Fits } from './wasm-node.cjs';

let loading: Promise<Wasm> | undefined;
let ready: Wasm | undefined;

/** Drops an instance that failed: the next use instantiates the module again. */
function drop(failed: Wasm): void {
  if (ready === failed) ready = loading = undefined;
}

export function loadedWasm(): Wasm | undefined {
  return ready;
}

export function loadWasm(source?: WasmSource): Promise<Wasm> {
  loading ??= (async () => instantiateFrom(source === undefined ? fromBase64(WASM_BASE64) : await wasmBytes(source), drop))().then(
    (wasm) => (ready = wasm),
    (cause) => {
      loading = undefined; // a later call may retry
      throw loadFailure(cause, false);
    },
  );
  return loading;
}

/** Uses `source` instead of the inlined module (before the first use; later it does nothing). */
export async function initWasm(source: WasmSource): Promise<void> {
  await loadWasm(source);
}

/** The browser build: TokenAuth refuses a `pat_` token unless told otherwise. */
export const BROWSER_BUILD: boolean = true;

export type Loader = Fits<{ loadedWasm: typeof loadedWasm; loadWasm: typeof loadWasm; initWasm: typeof initWasm; BROWSER_BUILD: typeof BROWSER_BUILD }>;
