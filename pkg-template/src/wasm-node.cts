// Node loader (shipped as node/wasm.js beside the bundle, which requires it): wasm-bindgen's
// `--target nodejs` glue reads and instantiates the module synchronously at require time. It
// has the same exports as the browser loader (wasm.ts), which the type check below holds it to.
import type { Wasm } from './seam.js' with { 'resolution-mode': 'import' };
import type * as BrowserLoader from './wasm.js' with { 'resolution-mode': 'import' };

// The glue is generated at build time (with --no-typescript): its `run` is the module's.
const glue: Wasm = require('./coze_auth.js');

export const loadedWasm = (): Wasm | undefined => glue;
export const loadWasm = (): Promise<Wasm> => Promise.resolve(glue);

/** Not the browser build (see wasm.ts). */
export const BROWSER_BUILD: boolean = false;

// Both loaders must fit the one set of imports the shared modules are typed against (a type,
// so nothing of it runs).
type Fits<T extends typeof BrowserLoader> = T;
export type Loader = Fits<{ loadedWasm: typeof loadedWasm; loadWasm: typeof loadWasm; BROWSER_BUILD: typeof BROWSER_BUILD }>;
