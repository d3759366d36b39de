// The module's imports and the wrapper around an instance, as every loader uses them (the
// browser, edge and inline loaders through wasm.ts, the Node loader wasm-node.cts directly: this
// file has no `import.meta` and no fetch, so the Node loader's CommonJS bundle can include it).
// The ABI it speaks is described in wasm.ts.

import { encoder, type Export, type Wasm } from './seam.js';

// Structural: the declarations use no DOM lib.
const decoder: { decode(bytes: Uint8Array): string } = new TextDecoder();

/** The raw exports of the module, as wasm-bindgen's glue would use them. */
// (Structural types, not WebAssembly's: the published declarations use no DOM lib.)
export interface Exports {
  memory: { readonly buffer: ArrayBufferLike };
  __wbindgen_externrefs: { set(index: number, value: unknown): void };
  __wbindgen_start(): void;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
}

/** An operation's export as the module has it: two slices in (text, bytes), a (pointer, length) of text out. */
type RawExport = (argsPtr: number, argsLen: number, bytesPtr: number, bytesLen: number) => [number, number];

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
