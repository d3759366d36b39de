// Browser loader: fetches and instantiates the module on first use. The `.wasm` is located
// with `new URL(..., import.meta.url)`: Vite and webpack 5 emit it as an asset; esbuild, rollup
// and bun build do not, so their users copy coze_auth_bg.wasm beside their bundle, import
// `coze-auth/inline` (wasm-inline.ts), or hand the module to `initWasm` (source.ts checks what
// it gets). The edge and inline loaders (wasm-edge.ts, wasm-inline.ts) reuse the wrapper below.
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
// The Node build's loader is wasm-node.cts, with the same exports.

import { encoder, type Export, type Wasm } from './seam.js';
import { loadFailure, type WasmModuleLike, type WasmSource, wasmBytes } from './source.js';

/** The raw exports of the module, as wasm-bindgen's glue would use them. */
// (Structural types, not WebAssembly's: the published declarations use no DOM lib.)
export interface Exports {
  memory: { readonly buffer: ArrayBufferLike };
  __wbindgen_externrefs: { set(index: number, value: unknown): void };
  __wbindgen_start(): void;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
}

// Structural: the declarations use no DOM lib.
const decoder: { decode(bytes: Uint8Array): string } = new TextDecoder();

/** An operation's export as the module has it: two slices in (text, bytes), a (pointer, length) of text out. */
type RawExport = (argsPtr: number, argsLen: number, bytesPtr: number, bytesLen: number) => [number, number];

let loading: Promise<Wasm> | undefined;
let ready: Wasm | undefined;

export function loadedWasm(): Wasm | undefined {
  return ready;
}

/**
 * The imports the module needs, as wasm-bindgen's glue gives them; `exports` is read only when
 * the start function runs, after instantiation.
 */
export function wasmImports(exports: () => Exports): Record<string, Record<string, () => void>> {
  return {
    './coze_auth_bg.js': {
      // wasm-bindgen's table of JS values; this module keeps none, but its start function
      // reserves the slots as the generated glue does.
      __wbindgen_init_externref_table() {
        const table = exports().__wbindgen_externrefs;
        table.set(0, undefined);
        table.set(1024, undefined);
        table.set(1025, null);
        table.set(1026, true);
        table.set(1027, false);
      },
    },
  };
}

/**
 * Starts an instance (made with {@link wasmImports}) and wraps every operation it exports alike.
 * An instance that throws (a trap: out of memory, a bug) may have been left half-way through an
 * allocation, so it is never used again: `onFail` tells its loader to drop it (the next use makes
 * a new one), and calls of code still holding it fail instead of running on it.
 */
export function wrapInstance(instance: { readonly exports: object }, onFail: (failed: Wasm) => void): Wasm {
  const wasm = instance.exports as unknown as Exports;
  wasm.__wbindgen_start();
  let failed = false;
  const pass = (bytes: Uint8Array): [number, number] => {
    const ptr = wasm.__wbindgen_malloc(bytes.length, 1) >>> 0;
    new Uint8Array(wasm.memory.buffer).set(bytes, ptr);
    return [ptr, bytes.length];
  };
  const operations: Record<string, Export> = {};
  for (const [name, raw] of Object.entries(wasm)) {
    if (typeof raw !== 'function' || name.startsWith('__wbindgen')) continue;
    operations[name] = (args, bytes) => {
      if (failed) throw new Error('this instance of the module failed earlier and was discarded');
      try {
        const [ptr, len] = (raw as RawExport)(...pass(encoder.encode(args)), ...pass(bytes));
        const out = decoder.decode(new Uint8Array(wasm.memory.buffer, ptr >>> 0, len));
        wasm.__wbindgen_free(ptr, len, 1);
        return out;
      } catch (e) {
        failed = true;
        onFail(wrapped);
        throw e;
      }
    };
  }
  const wrapped = operations as unknown as Wasm;
  return wrapped;
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

export function loadWasm(source?: WasmSource): Promise<Wasm> {
  loading ??= (async () => {
    checked ??= wasmBytes(source ?? new URL('coze_auth_bg.wasm', import.meta.url));
    return instantiateFrom(await checked, drop);
  })().then(
    (exports) => (ready = exports),
    (cause) => {
      loading = checked = undefined; // a later call may retry
      throw loadFailure(cause, source === undefined);
    },
  );
  return loading;
}

/** Loads the module from `source` instead (see init.ts, which documents it for the package). */
export async function initWasm(source: WasmSource): Promise<void> {
  await loadWasm(source);
}

/** This is the browser build: TokenAuth refuses a `pat_` token here unless told otherwise. */
export const BROWSER_BUILD: boolean = true;
