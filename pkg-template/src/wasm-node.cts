// Node loader (shipped as node/wasm.js beside the bundle, which requires it): wasm-bindgen's
// `--target nodejs` glue reads and instantiates the module synchronously at require time. It
// has the same exports as the browser loader (wasm.ts), which the type check below holds it to.
import type { Wasm } from './seam.js' with { 'resolution-mode': 'import' };
import type * as BrowserLoader from './wasm.js' with { 'resolution-mode': 'import' };

// The glue is generated at build time (with --no-typescript); its exports are the module's.
const GLUE = './coze_auth.js';
let glue: Wasm | undefined = require(GLUE);

/**
 * The module's exports, each calling the current instance. An instance that throws (a trap:
 * out of memory, a bug) may have been left half-way through an allocation, so it is never used
 * again: its glue leaves the require cache, and the next call requires it afresh, which
 * instantiates a new module synchronously from the same file.
 */
const facade = {} as Record<string, (args: Uint8Array, bytes: Uint8Array) => Uint8Array>;
for (const [name, operation] of Object.entries(glue!)) {
  if (typeof operation !== 'function') continue;
  facade[name] = (args, bytes) => {
    const current = (glue ??= fresh());
    try {
      return (current[name as keyof Wasm] as typeof operation)(args, bytes);
    } catch (e) {
      if (glue === current) glue = undefined;
      throw e;
    }
  };
}

function fresh(): Wasm {
  delete require.cache[require.resolve(GLUE)];
  return require(GLUE);
}

export const loadedWasm = (): Wasm | undefined => facade as unknown as Wasm;
export const loadWasm = (): Promise<Wasm> => Promise.resolve(facade as unknown as Wasm);

/** Not the browser build (see wasm.ts). */
export const BROWSER_BUILD: boolean = false;

// Both loaders must fit the one set of imports the shared modules are typed against (a type,
// so nothing of it runs).
type Fits<T extends typeof BrowserLoader> = T;
export type Loader = Fits<{ loadedWasm: typeof loadedWasm; loadWasm: typeof loadWasm; BROWSER_BUILD: typeof BROWSER_BUILD }>;
