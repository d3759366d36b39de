// What `initWasm` accepts, and how every loader turns it into something WebAssembly compiles:
// a compiled module as it is, bytes after a check of the `\0asm` magic (so a bundler's HTML
// fallback page or a JS file served in its place fails with a message that says so), a
// Response (or its promise), or a URL to fetch; and the browser loader's own fetch of the module
// beside it (fetchedBytes), with the same checks but none of initWasm's other forms. Failures
// are `CozeAuthError`s with code `unsupported`: the module cannot run here until something is
// configured.

import type { ResponseLike } from './response.js';
import { CozeAuthError, fail } from './error.js';
import { notWasm } from './wasm-magic.js';

/** The consumer's `WebAssembly.Module` type, else any object. */
export type WasmModuleLike = typeof globalThis extends { WebAssembly: { Module: { prototype: infer T } } } ? T : object;
/** The consumer's `URL` type, else its `href`. */
export type URLLike = typeof globalThis extends { URL: { prototype: infer T } } ? T : { readonly href: string };

/**
 * Where {@link initWasm} gets coze-auth's WebAssembly module (`coze_auth_bg.wasm` of the build
 * you import): a compiled `WebAssembly.Module` (e.g. a Workers `import m from '….wasm'`), its
 * bytes (`ArrayBuffer`, `Uint8Array`), a `Response` or a promise of one (`fetch(url)`), or a
 * URL (string or `URL`) to fetch.
 */
export type WasmSource = WasmModuleLike | ArrayBuffer | ArrayBufferView | ResponseLike | PromiseLike<ResponseLike> | URLLike | string;

const NAME = 'coze_auth_bg.wasm';
/** What to configure when the module is not where the loader looked. */
export const LOAD_HINTS =
  "With Vite, add optimizeDeps: { exclude: ['coze-auth'] } to vite.config; with esbuild, rollup or bun build, copy node_modules/coze-auth/browser/coze_auth_bg.wasm beside your bundle or import from 'coze-auth/inline'; or pass the module to initWasm().";

const tag = (v: unknown) => Object.prototype.toString.call(v);
const isResponse = (v: unknown): v is ResponseLike =>
  typeof v === 'object' && v !== null && typeof (v as { arrayBuffer?: unknown }).arrayBuffer === 'function' && typeof (v as { status?: unknown }).status === 'number';

/** The bytes, checked, or the module as it was given (WebAssembly rejects what is neither). */
function checked(bytes: Uint8Array, where: string): Uint8Array<ArrayBuffer> {
  const wrong = notWasm(bytes);
  if (wrong !== undefined) throw fail(`Expected coze-auth's WebAssembly module (${NAME}) ${where}, but received ${wrong}. ${LOAD_HINTS}`, 'unsupported');
  return bytes.slice();
}

/**
 * A fetched module's bytes, checked: a status other than 2xx, or what is not WebAssembly (an HTML
 * fallback page), fails with a message saying what arrived. `where` says where from, unless the
 * response knows its URL.
 */
async function responseBytes(response: ResponseLike & { url?: string }, where: string): Promise<Uint8Array<ArrayBuffer>> {
  if (response.url) where = `from ${response.url}`;
  if (response.status < 200 || response.status > 299) {
    throw fail(`Could not load coze-auth's WebAssembly module (${NAME}): HTTP ${response.status} ${where}. ${LOAD_HINTS}`, 'unsupported');
  }
  return checked(new Uint8Array(await response.arrayBuffer()), where);
}

/**
 * The module at `url`, fetched and checked: the browser loader's default path, which needs none
 * of {@link wasmBytes}'s other forms (so a page that never calls initWasm does not ship them).
 */
export async function fetchedBytes(url: string): Promise<Uint8Array<ArrayBuffer>> {
  return responseBytes(await fetch(url), `from ${url}`);
}

/** `source` made ready for `WebAssembly.instantiate`: a module, or checked bytes. */
export async function wasmBytes(source: WasmSource): Promise<WasmModuleLike | Uint8Array<ArrayBuffer>> {
  let value: unknown = await source;
  let where = 'from the bytes given';
  if (typeof value === 'string' || tag(value) === '[object URL]') {
    const url = String(value);
    where = `from ${url}`;
    value = await fetch(url);
  }
  if (isResponse(value)) return responseBytes(value, where);
  if (tag(value) === '[object ArrayBuffer]') return checked(new Uint8Array(value as ArrayBuffer), where);
  if (ArrayBuffer.isView(value)) return checked(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), where);
  if (typeof value !== 'object' || value === null) throw fail(`initWasm needs a WebAssembly.Module, bytes, a Response or a URL; got ${value === null ? 'null' : typeof value}.`, 'unsupported');
  return value as WasmModuleLike; // a module (no instanceof: other realms' modules fail it)
}

/** A load failure as the caller sees it: ours as they are, anything else wrapped with the hints. */
export function loadFailure(cause: unknown, automatic: boolean): CozeAuthError {
  if (cause instanceof CozeAuthError) return cause;
  return fail(`Could not load coze-auth's WebAssembly module (${NAME})${automatic ? ' beside its JS file' : ''}. ${LOAD_HINTS}`, 'unsupported', cause);
}
