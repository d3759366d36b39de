// Node loader (shipped as node/wasm.js beside the bundle, which requires it; scripts/build.sh
// bundles it with wasm-instance.ts). Importing the package reads nothing: the module is read,
// compiled and instantiated synchronously on first use, so a bundler that moves this code away
// from its .wasm (Next.js's server bundles) breaks only calls, not imports, and the first call
// still finds the file through the installed package. It has the same exports as the browser
// loader (wasm.ts), which the type check below holds it to.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Wasm } from './seam.js' with { 'resolution-mode': 'import' };
import type * as BrowserLoader from './wasm.js' with { 'resolution-mode': 'import' };
import type { WasmSource } from './source.js' with { 'resolution-mode': 'import' };
import { type Exports, wasmImports, wrapInstance } from './wasm-instance.js';
import { notWasm } from './wasm-magic.js';

const FILE = 'coze_auth_bg.wasm';
/**
 * This package's version, written in by scripts/build.sh (esbuild --define): not a require of
 * ../package.json, which a bundler of the app would inline whole (about 1.6 KB) for this string.
 */
declare const COZE_AUTH_VERSION: string;
const NEXT_HINT =
  "If a bundler moved coze-auth's code (Next.js server code without the package installed where the server runs), add serverExternalPackages: ['coze-auth'] to next.config, or keep coze-auth external in your bundler.";

/** The compiled module: kept, so an instance that failed is replaced without reading again. */
let compiled: WebAssembly.Module | undefined;
let ready: Wasm | undefined;

/** A failure as a CozeAuthError (the bundle's class: lib.js has loaded by the first use). */
function unsupported(message: string, cause: unknown): unknown {
  const { CozeAuthError } = require('./lib.js');
  return new CozeAuthError(message, cause === undefined ? { code: 'unsupported' } : { code: 'unsupported', cause });
}

const errorCode = (e: unknown) => (typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined);
const notThere = (e: unknown) => errorCode(e) === 'ENOENT' || errorCode(e) === 'ENOTDIR';

/** A read that failed for another reason than a missing file: Deno's permissions, mostly. */
function readFailure(e: unknown, file: string): unknown {
  const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
  if (name === 'NotCapable' || name === 'PermissionDenied') {
    return unsupported(
      "Deno denied reading coze-auth's WebAssembly module (node/coze_auth_bg.wasm): run it with --allow-read (or --allow-read=node_modules), or import 'coze-auth/inline' (the browser flows only).",
      e,
    );
  }
  return unsupported(`Could not read coze-auth's WebAssembly module (${file}).`, e);
}

/** Turbopack's stand-in for the project root in the `__dirname` of the server code it bundles. */
const TURBOPACK_ROOT = '/ROOT/';

/**
 * Turbopack writes this file's `__dirname` as "/ROOT/" and its path from the project root, and
 * its file tracing copies the .wasm read there (for `output: 'standalone'`: into
 * .next/standalone/node_modules, without coze-auth's package.json). The root is the working
 * directory at run time (`next start`, and standalone's server.js chdir's into its folder) or,
 * when the app is a folder of a workspace, one of its parents: the first that holds the file.
 * If the package.json is beside it too (an installed package, not a traced copy), it must be
 * this version, as below.
 */
function fromTurbopackRoot(): Uint8Array | undefined {
  if (!__dirname.startsWith(TURBOPACK_ROOT)) return undefined;
  const fromRoot = join(__dirname.slice(TURBOPACK_ROOT.length), FILE);
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const file = join(dir, fromRoot);
    try {
      const bytes = readFileSync(file);
      const ours: unknown = COZE_AUTH_VERSION;
      let version: unknown = ours;
      try {
        version = (JSON.parse(readFileSync(join(dirname(file), '..', 'package.json'), 'utf8')) as { version?: unknown }).version;
      } catch {
        // a traced copy has no package.json: the tracer copied this build's own file
      }
      return version === ours ? bytes : undefined;
    } catch (e) {
      if (!notThere(e)) throw readFailure(e, file);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The module's bytes: beside this file, where the package puts it; else, when a bundler moved
 * this code (its `__dirname` is then somewhere else: the bundle's own folder under Next's
 * webpack, "/" under webpack's mock default, "/ROOT/…" under Turbopack: see fromTurbopackRoot),
 * from the coze-auth installed for the app in the working directory, provided it is this
 * version (the JS and the module must come from one build).
 */
function read(): Uint8Array {
  const beside = join(__dirname, FILE);
  try {
    return readFileSync(beside);
  } catch (e) {
    if (!notThere(e)) throw readFailure(e, beside);
  }
  const traced = fromTurbopackRoot();
  if (traced !== undefined) return traced;
  const looked = `${beside} (beside coze-auth's code) and node/${FILE} in the coze-auth package resolved from ${process.cwd()}`;
  let manifest: string;
  let version: unknown;
  try {
    const fromApp = createRequire(join(process.cwd(), 'noop.js'));
    manifest = fromApp.resolve('coze-auth/package.json');
    version = fromApp(manifest).version;
  } catch (e) {
    throw unsupported(`Could not find coze-auth's WebAssembly module: looked for ${looked}. ${NEXT_HINT}`, e);
  }
  const ours: unknown = COZE_AUTH_VERSION;
  if (version !== ours) {
    throw unsupported(
      `coze-auth's WebAssembly module was not beside its JS (${beside}), and the coze-auth installed in ${dirname(manifest)} is version ${String(version)}, not ${String(ours)}: their modules differ. ${NEXT_HINT}`,
      undefined,
    );
  }
  const installed = join(dirname(manifest), 'node', FILE);
  try {
    return readFileSync(installed);
  } catch (e) {
    if (!notThere(e)) throw readFailure(e, installed);
    throw unsupported(`Could not find coze-auth's WebAssembly module: looked for ${looked} (${installed}). ${NEXT_HINT}`, e);
  }
}

/** Drops an instance that failed (see wrapInstance): the next use makes a new one. */
function drop(failed: Wasm): void {
  if (ready === failed) ready = undefined;
}

function compile(): WebAssembly.Module {
  const bytes = read();
  try {
    return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw unsupported("Could not compile coze-auth's WebAssembly module (node/coze_auth_bg.wasm).", e);
  }
}

function instantiate(): Wasm {
  compiled ??= compile();
  let exports: Exports | undefined;
  const instance = new WebAssembly.Instance(compiled, wasmImports(() => exports!));
  exports = instance.exports as unknown as Exports;
  return wrapInstance(instance, drop);
}

/** The module, instantiated now if it is not yet (synchronously); throws if it cannot be. */
export const loadedWasm = (): Wasm => (ready ??= instantiate());
export const loadWasm = (): Promise<Wasm> => new Promise((resolve) => resolve(loadedWasm()));
/**
 * Hands the module over where the file cannot be found (a server bundle copied without
 * coze-auth's files, a single-file executable): a compiled `WebAssembly.Module`, its bytes, a
 * `Response` (or its promise), a `file:` URL or path, or an http(s) URL. Before the first use it
 * replaces the search of read(); once a module is loaded, it changes nothing (as in the browser).
 */
export const initWasm = async (source: WasmSource): Promise<void> => {
  if (compiled === undefined) {
    const given = await moduleFrom(source);
    compiled ??= given;
  }
  loadedWasm();
};

type Fetched = { readonly status: number; arrayBuffer(): Promise<ArrayBuffer> };

/** The compiled module from what initWasm was given; CozeAuthError `unsupported` if it is not one. */
async function moduleFrom(source: WasmSource): Promise<WebAssembly.Module> {
  let value: unknown = await source;
  let where = 'from the bytes given';
  if (value instanceof WebAssembly.Module) return value;
  if (typeof value === 'string' || value instanceof URL) {
    const url = String(value);
    where = `from ${url}`;
    if (/^https?:/i.test(url)) {
      value = await fetch(url);
    } else {
      const file = url.startsWith('file:') ? fileURLToPath(url) : url;
      try {
        value = readFileSync(file);
      } catch (e) {
        throw readFailure(e, file);
      }
    }
  }
  if (typeof value === 'object' && value !== null && typeof (value as Fetched).arrayBuffer === 'function' && typeof (value as Fetched).status === 'number') {
    const response = value as Fetched;
    if (response.status < 200 || response.status > 299) throw unsupported(`Could not load coze-auth's WebAssembly module: HTTP ${response.status} ${where}.`, undefined);
    value = await response.arrayBuffer();
  }
  let bytes: Uint8Array;
  if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
  else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  else throw unsupported(`initWasm needs a WebAssembly.Module, bytes, a Response, a file path or a URL; got ${value === null ? 'null' : typeof value}.`, undefined);
  const wrong = notWasm(bytes);
  if (wrong !== undefined) throw unsupported(`Expected coze-auth's WebAssembly module (${FILE}) ${where}, but received ${wrong}.`, undefined);
  try {
    return new WebAssembly.Module(bytes.slice() as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw unsupported(`Could not compile coze-auth's WebAssembly module ${where}.`, e);
  }
}

/** Not the browser build (see wasm.ts). */
export const BROWSER_BUILD: boolean = false;

// Every loader must fit the one set of imports the shared modules are typed against (a type,
// so nothing of it runs).
export type Fits<T extends Pick<typeof BrowserLoader, 'loadedWasm' | 'loadWasm' | 'initWasm' | 'BROWSER_BUILD'>> = T;
export type Loader = Fits<{ loadedWasm: typeof loadedWasm; loadWasm: typeof loadWasm; initWasm: typeof initWasm; BROWSER_BUILD: typeof BROWSER_BUILD }>;
