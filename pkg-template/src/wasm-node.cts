// Node loader (shipped as node/wasm.js beside the bundle, which requires it): wasm-bindgen's
// `--target nodejs` glue reads and instantiates the module synchronously at require time. It
// has the same exports as the browser loader (wasm.ts), which the type check below holds it to.
import type { Wasm } from './seam.js' with { 'resolution-mode': 'import' };
import type * as BrowserLoader from './wasm.js' with { 'resolution-mode': 'import' };
import type { WasmSource } from './source.js' with { 'resolution-mode': 'import' };

// The glue is generated at build time (with --no-typescript); its exports are the module's. If
// it cannot read the module (Deno without --allow-read), importing still works and the first use
// throws a CozeAuthError that says what to do.
const GLUE = './coze_auth.js';
let glue: Wasm | undefined;
let failure: unknown;
try {
  glue = require(GLUE);
} catch (e) {
  failure = e;
}

/** The load failure as a CozeAuthError (the bundle's class: lib.js is loaded by the first use). */
function explain(e: unknown): unknown {
  const { CozeAuthError } = require('./lib.js');
  const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
  const deno = name === 'NotCapable' || name === 'PermissionDenied';
  const message = deno
    ? "Deno denied reading coze-auth's WebAssembly module (node/coze_auth_bg.wasm): run it with --allow-read (or --allow-read=node_modules), or import 'coze-auth/inline' (the browser flows only)."
    : "Could not load coze-auth's WebAssembly module (node/coze_auth_bg.wasm beside node/wasm.js).";
  return new CozeAuthError(message, { code: 'unsupported', cause: e });
}

/**
 * The module's exports, each calling the current instance. An instance that throws (a trap:
 * out of memory, a bug) may have been left half-way through an allocation, so it is never used
 * again: its glue leaves the require cache, and the next call requires it afresh, which
 * instantiates a new module synchronously from the same file.
 */
const facade = {} as Record<string, (args: string, bytes: Uint8Array) => string>;
for (const [name, operation] of Object.entries(glue ?? {})) {
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

export const loadedWasm = (): Wasm | undefined => {
  if (failure !== undefined) throw explain(failure);
  return facade as unknown as Wasm;
};
export const loadWasm = (_source?: WasmSource): Promise<Wasm> => new Promise((resolve) => resolve(loadedWasm()!));
/** Node loads the module itself (from the file beside this one): nothing to do. */
export const initWasm = async (_source: WasmSource): Promise<void> => {
  await loadWasm();
};

/** Not the browser build (see wasm.ts). */
export const BROWSER_BUILD: boolean = false;

// Every loader must fit the one set of imports the shared modules are typed against (a type,
// so nothing of it runs).
export type Fits<T extends Pick<typeof BrowserLoader, 'loadedWasm' | 'loadWasm' | 'initWasm' | 'BROWSER_BUILD'>> = T;
export type Loader = Fits<{ loadedWasm: typeof loadedWasm; loadWasm: typeof loadWasm; initWasm: typeof initWasm; BROWSER_BUILD: typeof BROWSER_BUILD }>;
