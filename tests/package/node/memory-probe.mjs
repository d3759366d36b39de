// Creates and drops app objects of the BUILT package (100,000 each unless argv[2] says) and
// prints, as JSON, the WebAssembly memory and the JS heap (after GC) before and after.
// WebAssembly.Instance is wrapped before the package loads, to reach the module's memory.
// Used by memory.test.mjs and bench/run.sh:  node --expose-gc tests/package/node/memory-probe.mjs [N]
import { readFileSync } from 'node:fs'

const instances = []
const Instance = WebAssembly.Instance
WebAssembly.Instance = function (...args) {
  const instance = new Instance(...args)
  instances.push(instance)
  return instance
}
const { PKCEOAuthApp, DeviceOAuthApp, WebOAuthApp, TokenAuth, OAuthJWTFlow } = await import('coze-auth')
const N = Number(process.argv[2] ?? 100_000)
const PEM = readFileSync(new URL('../../fixtures/jwt-key-pkcs8.pem', import.meta.url), 'utf8')
const memory = () => instances.reduce((n, i) => n + (i.exports.memory?.buffer.byteLength ?? 0), 0)
const heap = () => {
  globalThis.gc?.()
  return process.memoryUsage().heapUsed
}

const KINDS = {
  'PKCEOAuthApp + getOAuthUrl': async () => {
    const app = new PKCEOAuthApp({ clientId: 'c', baseURL: 'https://api.coze.cn' })
    await app.getOAuthUrl({ redirectUri: 'https://app.example/cb' })
  },
  DeviceOAuthApp: async () => void new DeviceOAuthApp({ clientId: 'c' }),
  'WebOAuthApp + getOAuthUrl': async () => {
    const app = new WebOAuthApp({ clientId: 'c', clientSecret: 'web-secret-0123456789' })
    await app.getOAuthUrl({ redirectUri: 'https://app.example/cb' })
    app.free()
  },
  TokenAuth: async () => void new TokenAuth({ token: 'sat_0123456789' }),
  // Each parses a 2048-bit PEM key in the module: a tenth as many.
  'OAuthJWTFlow (key parsed)': async () => new OAuthJWTFlow({ appId: 'a', keyid: 'k', privateKey: PEM }).free(),
}

const out = { n: N, kinds: {} }
for (const [kind, make] of Object.entries(KINDS)) {
  const n = kind.startsWith('OAuthJWTFlow') ? N / 10 : N
  for (let i = 0; i < 1000; i++) await make() // warm-up: the allocator's free list settles
  const before = { wasm: memory(), heap: heap() }
  for (let i = 0; i < n; i++) await make()
  const after = { wasm: memory(), heap: heap() }
  out.kinds[kind] = { n, wasmBefore: before.wasm, wasmAfter: after.wasm, heapBefore: before.heap, heapAfter: after.heap }
}
out.instances = instances.length
console.log(JSON.stringify(out))
