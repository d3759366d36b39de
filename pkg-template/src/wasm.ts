// Browser loader: fetches and instantiates the module on first use. The `.wasm` is located
// with `new URL(..., import.meta.url)`: Vite and webpack 5 emit it as an asset; esbuild does
// not, so esbuild users copy coze_auth_bg.wasm beside their bundle.
//
// This replaces wasm-bindgen's `--target web` glue, most of which (initSync, the argument
// forms of init, the MIME-type fallback's warning) a page never runs. Every export of the
// module has the same shape, `fn(args: &[u8], bytes: &[u8]) -> Vec<u8>`, so one wrapper serves
// them all, found by name; it speaks that shape's ABI as wasm-bindgen 0.2.130 lowers it: each
// input slice is copied into memory from `__wbindgen_malloc` (the callee frees it), and the
// result comes back as (pointer, length) for the caller to copy and free. scripts/build.sh
// checks the generated glue still does exactly this for every export, and fails otherwise.
// The Node build's loader is wasm-node.cts, with the same exports.

import { CozeAuthError } from './error.js';
import type { Export, Wasm } from './seam.js';

/** The raw exports of the module, as wasm-bindgen's glue would use them. */
interface Exports {
  memory: WebAssembly.Memory;
  __wbindgen_externrefs: WebAssembly.Table;
  __wbindgen_start(): void;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
}

/** An operation's export as the module has it: two slices in, a (pointer, length) out. */
type RawExport = (argsPtr: number, argsLen: number, bytesPtr: number, bytesLen: number) => [number, number];

let loading: Promise<Wasm> | undefined;
let ready: Wasm | undefined;

export function loadedWasm(): Wasm | undefined {
  return ready;
}

/** The compiled module, kept: an instance that failed is replaced without fetching it again. */
let compiled: Promise<WebAssembly.Module> | undefined;

async function compile(): Promise<WebAssembly.Module> {
  const response = await fetch(new URL('coze_auth_bg.wasm', import.meta.url));
  if (!response.ok) throw new Error(`HTTP ${response.status} fetching coze_auth_bg.wasm`);
  // Compiling from the bytes, not the stream, works whatever Content-Type the server sends.
  return WebAssembly.compile(await response.arrayBuffer());
}

async function instantiate(): Promise<Wasm> {
  compiled ??= compile().catch((e: unknown) => {
    compiled = undefined;
    throw e;
  });
  const module = await compiled;
  let wasm: Exports;
  const imports = {
    './coze_auth_bg.js': {
      // wasm-bindgen's table of JS values; this module keeps none, but its start function
      // reserves the slots as the generated glue does.
      __wbindgen_init_externref_table() {
        const table = wasm.__wbindgen_externrefs;
        table.set(0, undefined);
        table.set(1024, undefined);
        table.set(1025, null);
        table.set(1026, true);
        table.set(1027, false);
      },
    },
  };
  wasm = (await WebAssembly.instantiate(module, imports)).exports as unknown as Exports;
  wasm.__wbindgen_start();
  // An instance that threw (a trap: out of memory, a bug) may have been left half-way through
  // an allocation: it is never used again. It is dropped here (the next loadWasm() makes a new
  // one), and the calls of code still holding it fail instead of running on it.
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
        const [ptr, len] = (raw as RawExport)(...pass(args), ...pass(bytes));
        const out = new Uint8Array(wasm.memory.buffer, ptr >>> 0, len).slice();
        wasm.__wbindgen_free(ptr, len, 1);
        return out;
      } catch (e) {
        failed = true;
        if (ready === instance) ready = loading = undefined;
        throw e;
      }
    };
  }
  const instance = operations as unknown as Wasm;
  return instance;
}

export function loadWasm(): Promise<Wasm> {
  loading ??= instantiate().then(
    (exports) => (ready = exports),
    (cause) => {
      loading = undefined; // a later call may retry
      throw new CozeAuthError('Could not load the coze-auth WebAssembly module (coze_auth_bg.wasm). Check that your bundler or server serves it beside the JS file.', { code: 'network_error', cause });
    },
  );
  return loading;
}

/** This is the browser build: TokenAuth refuses a `pat_` token here unless told otherwise. */
export const BROWSER_BUILD: boolean = true;
