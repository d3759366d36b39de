// Browser loader: fetches and instantiates the module on first use. The `.wasm` is located
// with `new URL(..., import.meta.url)`: Vite and webpack 5 emit it as an asset; esbuild, rollup
// and bun build do not, so their users copy coze_auth_bg.wasm beside their bundle, import
// `coze-auth/inline` (wasm-inline.ts), or hand the module to `initWasm` (source.ts checks what
// it gets). Every loader wraps its instance alike (wasm-instance.ts).
//
// This replaces wasm-bindgen's `--target web` glue, most of which (initSync, the argument
// forms of init, the MIME-type fallback's warning) a page never runs. Every export of the
// module has the same shape, `fn(args: &str, bytes: &[u8]) -> String`, so one wrapper serves
// them all, found by name; it speaks that shape's ABI as wasm-bindgen 0.2.130 lowers it: the
// text's UTF-8 and the bytes are each copied into a block of their exact length from
// `__wbindgen_malloc` (the callee frees both; the glue writes text with `encodeInto` into a
// block it then shrinks with `__wbindgen_realloc`, about 0.7 µs faster per call but more code
// for a page to load), and the result comes back as (pointer, length) of UTF-8 for the caller
// to decode where it lies and free. scripts/build.sh checks the generated glue still
// does exactly this for every export, and fails otherwise.
// The wrapper is in wasm-instance.ts, which the Node loader (wasm-node.cts) shares.

import type { Wasm } from './seam.js';
import { fetchedBytes, loadFailure, type WasmModuleLike, type WasmSource, wasmBytes } from './source.js';
import { type Exports, wasmImports, wrapInstance } from './wasm-instance.js';

// The edge and inline loaders take the wrapper from here, as they always did.
export { type Exports, wasmImports, wrapInstance };

let loading: Promise<Wasm> | undefined;
let ready: Wasm | undefined;

export function loadedWasm(): Wasm | undefined {
  return ready;
}

/** Instantiates a compiled module or the module's bytes (checked first: see source.ts). */
export async function instantiateFrom(
  source: WasmModuleLike | Uint8Array<ArrayBuffer>,
  onFail: (failed: Wasm) => void,
): Promise<Wasm> {
  let exports: Exports | undefined;
  const imports = wasmImports(() => exports!);
  // Compiling from the bytes, not the stream, works whatever Content-Type the server sends.
  const result = (await WebAssembly.instantiate(source as BufferSource, imports)) as WebAssembly.WebAssemblyInstantiatedSource | WebAssembly.Instance;
  // A module gives an Instance, bytes give {module, instance} (no instanceof: another realm's
  // classes, e.g. edge-runtime's, fail it).
  const instance = 'module' in result ? result.instance : result;
  exports = instance.exports as unknown as Exports;
  return wrapInstance(instance, onFail);
}

/** The module as fetched and checked: kept, so a failed instance is replaced without fetching again. */
let checked: Promise<WasmModuleLike | Uint8Array<ArrayBuffer>> | undefined;

/** Drops an instance that failed: the next use instantiates the module again. */
function drop(failed: Wasm): void {
  if (ready === failed) ready = loading = undefined;
}

/** Loads the module from `bytes()` (once: see `checked`), unless it is loaded or loading already. */
function load(bytes: () => Promise<WasmModuleLike | Uint8Array<ArrayBuffer>>, automatic: boolean): Promise<Wasm> {
  loading ??= (async () => {
    checked ??= bytes();
    return instantiateFrom(await checked, drop);
  })().then(
    (exports) => (ready = exports),
    (cause) => {
      loading = checked = undefined; // a later call may retry
      throw loadFailure(cause, automatic);
    },
  );
  return loading;
}

/**
 * Loads the module beside this file. Only its fetch is here: initWasm's other sources are read
 * by wasmBytes, which a page that never calls initWasm does not ship.
 */
export function loadWasm(): Promise<Wasm> {
  return load(() => fetchedBytes(new URL('coze_auth_bg.wasm', import.meta.url).href), true);
}

/** Loads the module from `source` instead (see init.ts, which documents it for the package). */
export async function initWasm(source: WasmSource): Promise<void> {
  await load(() => wasmBytes(source), false);
}

/** This is the browser build: TokenAuth refuses a `pat_` token here unless told otherwise. */
export const BROWSER_BUILD: boolean = true;
