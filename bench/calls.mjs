// The client's own CPU per call: `fetch` is replaced by a canned in-process answer (a `Response`
// built in memory on each call, no sockets), so only the library's code is timed.
//   1. PKCE code exchange: coze-auth `PKCEOAuthApp.getAccessToken({code, redirectUri,
//      codeVerifier})` against oauth4webapi's `authorizationCodeGrantRequest` +
//      `processAuthorizationCodeResponse`. Both do the same work per call: one token request
//      built, handed to the fetch, one JSON answer read and checked. oauth4webapi's
//      AuthorizationServer, Client and callback parameters (its `validateAuthResponse()`, the
//      state check, which coze-auth does in `handleCallback`, not timed on either side) are
//      made once, outside the loop. oauth4webapi sets no time limit unless given a signal;
//      coze-auth runs every request under one (30 s by default), and that is counted. A third
//      row times the canned fetch alone, which both pay.
//   2. JWT mint: coze-auth `OAuthJWTFlow.getToken()` (a 2048-bit key) against the floor: bare
//      node:crypto (a KeyObject made once; header and claims JSON built in JS, RS256 signed,
//      base64url joined), the token request's body built, the same canned fetch, and
//      `JSON.parse` of the answer.
// Method: warm-up, then interleaved rounds (each round runs every variant, alternating which
// goes first); each variant's median round, in µs of the process's CPU time per call (the wall
// time beside it). Ratios within one run are what matter: the absolute figures move with the
// machine's load.
// Only the package's public API is used.
//
//   node bench/calls.mjs [rounds]        (prints a markdown section; about 15 s)

import crypto from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as oauth from 'oauth4webapi'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { PKCEOAuthApp, OAuthJWTFlow } = await import(pathToFileURL(path.join(ROOT, 'pkg', 'node', 'index.mjs')).href)
const o4wVersion = JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules', 'oauth4webapi', 'package.json'), 'utf8')).version

const ROUNDS = Number(process.argv[2] ?? 7)
const BASE = 'https://api.coze.cn'
const TOKEN_URL = `${BASE}/api/permission/oauth2/token`

/** A fetch that answers `text` (JSON, 200) from memory: a new Response per call, as a body is read once. */
const canned = (text) => async () => new Response(text, { status: 200, headers: { 'content-type': 'application/json' } })

/**
 * µs per call of `fn`, awaited `n` times in sequence: `cpu`, the process's CPU time (user +
 * system, all threads: GC included), and `wall`. On shared cores the wall time also counts the
 * time other processes ran, so CPU time is the figure reported first.
 */
async function perCall(fn, n) {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await fn()
  const wall = ((performance.now() - t0) * 1000) / n
  const c = process.cpuUsage(c0)
  return { cpu: (c.user + c.system) / n, wall }
}

/** Each variant's median µs/call over `ROUNDS` interleaved rounds of `n` calls, after `warm` calls of each. */
async function interleaved(variants, n, warm) {
  for (const v of variants) await perCall(v.fn, warm)
  const times = variants.map(() => [])
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? [...variants.keys()].reverse() : [...variants.keys()]
    for (const i of order) times[i].push(await perCall(variants[i].fn, n))
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  return times.map((t) => {
    const cpu = t.map((x) => x.cpu)
    return { median: median(cpu), min: Math.min(...cpu), max: Math.max(...cpu), wall: median(t.map((x) => x.wall)) }
  })
}

function table(title, note, variants, results) {
  const base = results[0].median
  console.log(`### ${title}`)
  console.log()
  console.log(note)
  console.log()
  console.log('| variant | CPU µs per call (median) | min–max of the rounds | CPU time vs the first row | wall µs per call (median) |')
  console.log('|---|---:|---:|---:|---:|')
  for (const [i, v] of variants.entries()) {
    const r = results[i]
    console.log(`| ${v.label} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)}–${r.max.toFixed(1)} | ${(r.median / base).toFixed(2)}× | ${r.wall.toFixed(1)} |`)
  }
}

/** Runs `fn` once and fails loudly unless it gives a token (a bench of a failing call is worthless). */
async function mustGiveToken(label, fn) {
  const t = await fn()
  if (typeof t?.access_token !== 'string') throw new Error(`${label}: no access_token in ${JSON.stringify(t)}`)
}

// --- 1. PKCE code exchange ----------------------------------------------------------------------

const CLIENT_ID = 'bench-pkce-client'
const REDIRECT_URI = 'https://app.example/callback'
const CODE = 'code_bench_0123456789abcdef'
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const codeAnswer = JSON.stringify({
  access_token: 'czu_bench_access_token_0123456789',
  expires_in: Math.floor(Date.now() / 1000) + 900,
  refresh_token: 'czu_bench_refresh_token_0123456789',
  token_type: 'Bearer',
})
const codeFetch = canned(codeAnswer)

const pkce = new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: BASE, fetch: codeFetch })
const exchangeParams = { code: CODE, redirectUri: REDIRECT_URI, codeVerifier: VERIFIER }

const as = { issuer: BASE, token_endpoint: TOKEN_URL }
const client = { client_id: CLIENT_ID }
const clientAuth = oauth.None()
const callbackParams = oauth.validateAuthResponse(as, client, new URLSearchParams({ code: CODE, state: 'bench-state' }), 'bench-state')
const o4wOptions = { [oauth.customFetch]: codeFetch }

const exchanges = [
  { label: 'coze-auth `PKCEOAuthApp.getAccessToken()`', fn: () => pkce.getAccessToken(exchangeParams) },
  {
    label: `oauth4webapi ${o4wVersion} \`authorizationCodeGrantRequest\` + \`processAuthorizationCodeResponse\``,
    fn: async () => oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, clientAuth, callbackParams, REDIRECT_URI, VERIFIER, o4wOptions)),
  },
]
for (const v of exchanges) await mustGiveToken(v.label, v.fn)
// What both pay for the stand-in itself: the Response built, its body read (oauth4webapi reads it with json()).
exchanges.push({ label: 'for reference: the canned fetch alone (a `Response` built, its body read with `arrayBuffer()`)', fn: async () => (await codeFetch()).arrayBuffer() })

// --- 2. JWT mint --------------------------------------------------------------------------------

const PEM = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'jwt-key-pkcs8.pem'), 'utf8')
const APP_ID = 'bench-jwt-app'
const KID = 'bench-kid'
const jwtAnswer = JSON.stringify({ access_token: 'czs_bench', expires_in: Math.floor(Date.now() / 1000) + 900, token_type: 'Bearer' })
const jwtFetch = canned(jwtAnswer)
const flow = new OAuthJWTFlow({ baseURL: BASE, appId: APP_ID, keyid: KID, privateKey: PEM, fetch: jwtFetch })

const keyObject = crypto.createPrivateKey(PEM)
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
async function floorMint() {
  const now = Math.floor(Date.now() / 1000)
  const claims = { iss: APP_ID, aud: 'api.coze.cn', iat: now, exp: now + 3600, jti: crypto.randomBytes(16).toString('base64url') }
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: KID })}.${b64(claims)}`
  const jwt = `${input}.${crypto.sign('sha256', Buffer.from(input), keyObject).toString('base64url')}`
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', duration_seconds: 900 }),
  }
  const response = await jwtFetch(TOKEN_URL, init)
  return JSON.parse(await response.text())
}

const mints = [
  { label: 'floor: node:crypto (KeyObject made once) + request body + canned fetch + `JSON.parse`', fn: floorMint },
  { label: 'coze-auth `OAuthJWTFlow.getToken()`', fn: () => flow.getToken() },
]
for (const v of mints) await mustGiveToken(v.label, v.fn)

// --- measure and report -------------------------------------------------------------------------

const EXCHANGE_N = 4000
const MINT_N = 300
const exchangeResults = await interleaved(exchanges, EXCHANGE_N, 2000)
const mintResults = await interleaved(mints, MINT_N, 100)

console.log(`## The client's own CPU per call (Node ${process.version}; \`fetch\` answers from memory)`)
console.log()
table(
  'PKCE code exchange: one token request built, one answer read',
  `Median of ${ROUNDS} interleaved rounds of ${EXCHANGE_N} sequential calls per variant, after 2000 warm-up calls.`,
  exchanges,
  exchangeResults,
)
console.log()
const [floor, ours] = mintResults.map((r) => r.median)
table(
  'JWT mint: one RS256 assertion signed (2048-bit key), one token request built, one answer read',
  `Median of ${ROUNDS} interleaved rounds of ${MINT_N} sequential calls per variant, after 100 warm-up calls. coze-auth runs at ${(floor / ours).toFixed(2)}× the floor's speed (CPU time).`,
  mints,
  mintResults,
)
