// Run by hardening.test.mjs in a child process with a small WebAssembly memory limit
// (`node --wasm-max-mem-pages=N`): an argument too large for that memory makes the module's
// allocator fail, which traps (a real WebAssembly.RuntimeError, as out of memory would be on a
// phone). Prints what happened as one JSON line.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { PKCEOAuthApp, CozeAuthError } from 'coze-auth'

const require = createRequire(import.meta.url)
// The package's Node loader requires the wasm-bindgen glue from this file; its entry in the
// require cache is the instance in use (read only: the test changes nothing in the package).
const gluePath = fileURLToPath(new URL('./node_modules/coze-auth/node/coze_auth.js', import.meta.url))
const instanceInUse = () => require.cache[gluePath]?.exports

const out = {}
new PKCEOAuthApp({ clientId: 'warm-up' }) // loads the module
const before = instanceInUse()
out.loadedBefore = before !== undefined
try {
  new PKCEOAuthApp({ clientId: 'x'.repeat(Number(process.argv[2] ?? 5_000_000)) })
  out.first = { threw: false }
} catch (e) {
  out.first = { threw: true, isCozeAuthError: e instanceof CozeAuthError, code: e?.code, message: e?.message, cause: e?.cause?.constructor?.name }
}
try {
  const app = new PKCEOAuthApp({ clientId: 'after-the-trap' })
  const { url } = await app.getOAuthUrl({ redirectUri: 'http://127.0.0.1:3000/callback' })
  out.after = { ok: new URL(url).searchParams.get('client_id') === 'after-the-trap' }
} catch (e) {
  out.after = { ok: false, error: String(e) }
}
out.replaced = instanceInUse() !== undefined && instanceInUse() !== before
console.log(JSON.stringify(out))
