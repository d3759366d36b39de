// Node loader (shipped as node/wasm.js beside the bundle, which requires it): wasm-bindgen's
// `--target nodejs` glue reads and instantiates the module synchronously at require time. It
// has the same exports as the browser loader (wasm.ts), which the type check below holds it to.
import type { Wasm } from './seam.js' with { 'resolution-mode': 'import' };
import type * as BrowserLoader from './wasm.js' with { 'resolution-mode': 'import' };
import type { WasmSource } from './source.js' with { 'resolution-mode': 'import' };

// The glue is generated at build time (with --no-typescript): its `run` is the module's. If it
// cannot read the module (Deno without --allow-read), importing still works and the first use
// throws a CozeAuthError that says what to do.
let glue: Wasm | undefined;
let failure: unknown;
try {
  glue = require('./coze_auth.js');
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

export const loadedWasm = (): Wasm | undefined => {
  if (failure !== undefined) throw explain(failure);
  return glue;
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
