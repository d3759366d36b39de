// The JWT flow, side by side:
//   1. RS256 per signed assertion (header and claims built, signed, joined): coze-auth's
//      OAuthJWTFlow.createAssertion() (claims built in wasm, signature by a KeyObject made once),
//      node:crypto signing with a cached KeyObject (the floor), and jsonwebtoken with the PEM on
//      each call (what @coze/api does). For reference, a whole getToken() with an in-process
//      fetch: the assertion plus the request built and the answer read in wasm, no network.
//   2. 200 sequential getAccessToken() against the mock Coze: server hits and total time
//      (coze-auth caches; @coze/api's getJWTToken mints every time).
//   3. 100 concurrent calls on a fresh flow: server hits.
//
//   node bench/jwt.mjs        (prints a markdown section)

import crypto from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import jsonwebtoken from 'jsonwebtoken'
import { getJWTToken } from '@coze/api'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { OAuthJWTFlow } = await import(pathToFileURL(path.join(ROOT, 'pkg', 'node', 'index.mjs')).href)
const { startMockCoze } = await import(pathToFileURL(path.join(ROOT, 'mock-coze', 'server.mjs')).href)

const PEM = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'jwt-key-pkcs8.pem'), 'utf8')
const PUBLIC = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'jwt-key-public.pem'), 'utf8')
const APP_ID = 'bench-jwt-app'
const KID = 'bench-kid'
const N = Number(process.argv[2] ?? 300)

async function perOp(fn, n = N) {
  for (let i = 0; i < 20; i++) await fn() // warm-up
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await fn()
  return (performance.now() - t0) / n
}

/** Per-op means of several functions, measured in interleaved rounds (so drift hits all alike); the median round of each. */
async function sideBySide(fns, rounds = 7) {
  const times = fns.map(() => [])
  for (let r = 0; r < rounds; r++) {
    for (const [i, fn] of fns.entries()) times[i].push(await perOp(fn, Math.ceil(N / 2)))
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)])
}

// --- 1. signature per op ----------------------------------------------------------------------
const keyObject = crypto.createPrivateKey(PEM)
const payload = () => ({ iss: APP_ID, aud: 'api.coze.cn', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600, jti: crypto.randomBytes(16).toString('hex') })
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
const answer = JSON.stringify({ access_token: 'czs_bench', expires_in: Math.floor(Date.now() / 1000) + 900, token_type: 'Bearer' })
const offline = new OAuthJWTFlow({
  baseURL: 'https://api.coze.cn',
  appId: APP_ID,
  keyid: KID,
  privateKey: PEM,
  fetch: async () => new Response(answer, { status: 200, headers: { 'content-type': 'application/json' } }),
})
const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
const subtleKey = await crypto.webcrypto.subtle.importKey('pkcs8', keyObject.export({ type: 'pkcs8', format: 'der' }), RS256, false, ['sign'])
const [floor, ours, subtle, jwtLib, whole] = await sideBySide([
  () => {
    const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: KID })}.${b64(payload())}`
    return `${input}.${crypto.sign('sha256', Buffer.from(input), keyObject).toString('base64url')}`
  },
  () => offline.createAssertion(),
  async () => {
    const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: KID })}.${b64(payload())}`
    return `${input}.${Buffer.from(await crypto.webcrypto.subtle.sign(RS256, subtleKey, Buffer.from(input))).toString('base64url')}`
  },
  () => jsonwebtoken.sign(payload(), PEM, { algorithm: 'RS256', keyid: KID }),
  () => offline.getToken(),
])

console.log(`## JWT flow (Node ${process.version})`)
console.log()
console.log(`### RS256: one signed assertion (per-op mean over ${Math.ceil(N / 2)} ops after 20 warm-up; median of 7 interleaved rounds)`)
console.log()
console.log('| signer | ms per op | vs the floor |')
console.log('|---|---:|---:|')
console.log(`| node:crypto with a cached KeyObject (the floor: header and claims in JS, signed, joined) | ${floor.toFixed(3)} | 1.00× |`)
console.log(`| coze-auth \`createAssertion()\` (claims built in wasm, signed by a KeyObject made once) | ${ours.toFixed(3)} | ${(ours / floor).toFixed(2)}× |`)
console.log(`| the same with \`crypto.subtle.sign\` and a CryptoKey imported once | ${subtle.toFixed(3)} | ${(subtle / floor).toFixed(2)}× |`)
console.log(`| jsonwebtoken 9.0.3 with the PEM on each call (as @coze/api) | ${jwtLib.toFixed(3)} | ${(jwtLib / floor).toFixed(2)}× |`)
console.log(`| for reference: coze-auth \`getToken()\` with an in-process fetch (the assertion, plus the request built and the answer read) | ${whole.toFixed(3)} | ${(whole / floor).toFixed(2)}× |`)

// --- 2 and 3. the cache, against the mock -------------------------------------------------------
async function withMock(fn) {
  const coze = await startMockCoze({ port: 0 })
  coze.registerJwtKey(KID, PUBLIC, { appId: APP_ID })
  try {
    return await fn(coze)
  } finally {
    await coze.close()
  }
}
const aud = (coze) => new URL(coze.url).host
const newFlow = (coze) => new OAuthJWTFlow({ baseURL: coze.url, appId: APP_ID, keyid: KID, privateKey: PEM })
const cozeApi = (coze) => getJWTToken({ baseURL: coze.url, appId: APP_ID, aud: aud(coze), keyid: KID, privateKey: PEM })

async function sequential(call) {
  return withMock(async (coze) => {
    const t0 = performance.now()
    for (let i = 0; i < 200; i++) {
      const t = await call(coze)
      if (!t?.access_token) throw new Error('no token')
    }
    return { hits: coze.jwtHits, ms: performance.now() - t0 }
  })
}
async function concurrent(call) {
  return withMock(async (coze) => {
    const t0 = performance.now()
    const all = await Promise.all(Array.from({ length: 100 }, () => call(coze)))
    if (!all.every((t) => t?.access_token)) throw new Error('no token')
    return { hits: coze.jwtHits, ms: performance.now() - t0 }
  })
}

const seqOurs = await sequential((coze) => ((coze.flow ??= newFlow(coze)).getAccessToken()))
const seqPeer = await sequential(cozeApi)
const conOurs = await concurrent((coze) => ((coze.flow ??= newFlow(coze)).getAccessToken()))
const conPeer = await concurrent(cozeApi)

console.log()
console.log('### Token cache against the mock Coze (127.0.0.1)')
console.log()
console.log('| client | 200 sequential: server hits | total | 100 concurrent on a fresh flow: server hits | total |')
console.log('|---|---:|---:|---:|---:|')
console.log(`| coze-auth \`getAccessToken()\` | ${seqOurs.hits} | ${seqOurs.ms.toFixed(0)} ms | ${conOurs.hits} | ${conOurs.ms.toFixed(0)} ms |`)
console.log(`| @coze/api 1.3.9 \`getJWTToken()\` | ${seqPeer.hits} | ${seqPeer.ms.toFixed(0)} ms | ${conPeer.hits} | ${conPeer.ms.toFixed(0)} ms |`)
console.log()
console.log('@cozeloop/ai is not in the registry here, so it is not measured; it signs with jsonwebtoken and the PEM on each call like @coze/api.')
process.exit(0)
