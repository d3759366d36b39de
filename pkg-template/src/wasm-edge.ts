// Edge loader (Cloudflare Workers and workerd, Vercel Edge and Next.js edge routes: the export
// conditions `workerd` and `edge-light`). These hosts refuse to compile WebAssembly from bytes at
// run time ("Wasm code generation disallowed by embedder"); their bundlers compile it at build
// time instead and hand over a `WebAssembly.Module` for `import m from './x.wasm?module'` (the
// one spelling wrangler, raw workerd and both of Next's bundlers accept). This instantiates it
// synchronously on first use, through the browser loader's wrapper, and never checks
// `instanceof WebAssembly.Module` (edge-runtime's modules come from another realm).

import wasmModule from './wasm-module.js';
import { CozeAuthError } from './error.js';
import type { Wasm } from './seam.js';
import { type WasmSource, wasmBytes } from './source.js';
import { type Exports, instantiateFrom, wasmImports, wrapInstance } from './wasm.js';
import type { Fits } from './wasm-node.cjs';

let ready: Wasm | undefined;

/** Drops an instance that failed: the next use instantiates the module again. */
function drop(failed: Wasm): void {
  if (ready === failed) ready = undefined;
}

function instantiate(module: WebAssembly.Module): Wasm {
  try {
    let exports: Exports | undefined;
    const instance = new WebAssembly.Instance(module, wasmImports(() => exports!));
    exports = instance.exports as unknown as Exports;
    return wrapInstance(instance, drop);
  } catch (cause) {
    throw new CozeAuthError(
      "Could not instantiate coze-auth's WebAssembly module (edge/coze_auth_bg.wasm, imported as './coze_auth_bg.wasm?module'): the bundler must turn that import into a WebAssembly.Module, as wrangler and Next.js do; else pass one to initWasm().",
      { code: 'unsupported', cause },
    );
  }
}

/** The module, instantiated now if it is not yet (synchronously). */
export function loadedWasm(): Wasm {
  return (ready ??= instantiate(wasmModule));
}

export function loadWasm(): Promise<Wasm> {
  return new Promise((resolve) => resolve(loadedWasm()));
}

/**
 * Uses `source` instead of the imported module (before the first use; later it does nothing).
 * On an edge runtime only a compiled `WebAssembly.Module` works: they refuse bytes.
 */
export async function initWasm(source: WasmSource): Promise<void> {
  if (ready) return;
  const module = await wasmBytes(source);
  const wasm = module instanceof Uint8Array ? await instantiateFrom(module, drop) : instantiate(module);
  ready ??= wasm;
}

/** A server build: TokenAuth accepts `pat_` tokens. */
export const BROWSER_BUILD: boolean = false;

export type Loader = Fits<{ loadedWasm: typeof loadedWasm; loadWasm: typeof loadWasm; initWasm: typeof initWasm; BROWSER_BUILD: typeof BROWSER_BUILD }>;
