// Run by hardening.test.mjs in a child process with a small WebAssembly memory limit
// (`node --wasm-max-mem-pages=N`): an argument too large for that memory makes the module's
// allocator fail, which traps (a real WebAssembly.RuntimeError, as out of memory would be on a
// phone). Prints what happened as one JSON line.
import { PKCEOAuthApp, CozeAuthError } from 'coze-auth'

// Every instance the package makes, counted where it makes them (the Node loader looks
// WebAssembly.Instance up at each instantiation): the one in use is the last.
const instances = []
WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct (target, args) {
    const instance = Reflect.construct(target, args)
    instances.push(instance)
    return instance
  }
})
const instanceInUse = () => instances.at(-1)

const out = {}
// The import above read nothing: the first use instantiates the module, under the count.
new PKCEOAuthApp({ clientId: 'warm-up' })
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
