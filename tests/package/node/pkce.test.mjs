// Tests of the BUILT npm package (installed into tests/package/node/node_modules by scripts/pack-install.sh):
//   bash scripts/pack-install.sh && node --test tests/package/node/
// Every test starts its own mock Coze (../mock-coze/server.mjs) and points baseURL and wwwBaseURL at it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import util from 'node:util'
import { PKCEOAuthApp, CozeAuthError, COZE_CN_BASE_URL, COZE_COM_BASE_URL } from 'coze-auth'
import { startMockCoze, extractConsentHref, REDIRECT_TARGET_PATH, TOKEN_PATH } from '../../../mock-coze/server.mjs'

const CLIENT_ID = '7484523669621473318'
const REDIRECT = 'http://127.0.0.1:3000/callback'
const AUTHORIZE = '/api/permission/oauth2/authorize'
const realFetch = globalThis.fetch
const b64sha = (s) => crypto.createHash('sha256').update(s, 'ascii').digest('base64url')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** node:test `test` with a per-test upper bound, so a hanging library fails instead of stalling. */
const t = (name, fn) => test(name, { timeout: 10_000 }, fn)

async function withMock(fn) {
  const coze = await startMockCoze({ port: 0 })
  try {
    return await fn(coze)
  } finally {
    await coze.close()
  }
}

function newApp(coze, extra = {}) {
  return new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: coze.url, wwwBaseURL: coze.url, timeoutMs: 3000, ...extra })
}

/** Plays the user on the consent page at `authorizeUrl`; returns the Location Coze redirects to. */
async function consent(authorizeUrl, decision = 'allow') {
  const page = await realFetch(authorizeUrl)
  const html = await page.text()
  assert.equal(page.status, 200, `the mock refused the authorize URL ${authorizeUrl}: ${html}`)
  const res = await realFetch(new URL(extractConsentHref(html, decision), authorizeUrl), { redirect: 'manual' })
  await res.arrayBuffer()
  assert.equal(res.status, 302)
  return res.headers.get('location')
}

/** getOAuthUrl + consent: returns { code, codeVerifier, state, url }. */
async function authorize(app, params = {}) {
  const r = await app.getOAuthUrl({ redirectUri: REDIRECT, ...params })
  const loc = new URL(await consent(r.url))
  assert.equal(loc.searchParams.get('state'), r.state)
  return { ...r, code: loc.searchParams.get('code') }
}

const tokenRequests = (coze) => coze.requests.filter((r) => r.path === TOKEN_PATH)

/** Asserts that no rendering of `err` leaks any of `secrets`. */
function assertNoSecrets(err, secrets) {
  const renderings = {
    message: String(err?.message),
    string: String(err),
    json: JSON.stringify(err) ?? '',
    inspect: util.inspect(err, { depth: Infinity }),
  }
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < 8) continue
    for (const [how, text] of Object.entries(renderings)) {
      assert.ok(!text.includes(s), `a secret (${s.slice(0, 12)}…) appears in the error's ${how}: ${text}`)
    }
  }
}

/**
 * Runs `work` (a promise or a function, which may also throw synchronously) and expects a CozeAuthError
 * with the `expected` fields; checks `secrets` never appear in it. Returns the error.
 */
async function expectCozeError(work, expected, secrets = []) {
  let err
  let settled = false
  try {
    await (typeof work === 'function' ? work() : work)
    settled = true
  } catch (e) {
    err = e
  }
  assert.ok(!settled, `expected a CozeAuthError ${JSON.stringify(expected)}, but it succeeded`)
  assert.ok(err instanceof CozeAuthError, `not a CozeAuthError: ${util.inspect(err)}`)
  assert.ok(err instanceof Error, 'CozeAuthError extends Error')
  assert.equal(err.name, 'CozeAuthError')
  assert.equal(typeof err.message, 'string')
  assert.ok(err.message.length > 0, 'has a message')
  for (const [k, v] of Object.entries(expected)) {
    assert.deepEqual(err[k], v, `err.${k} (error: ${util.inspect(err)})`)
  }
  assertNoSecrets(err, secrets)
  return err
}

/** Expects invalid_argument either from the constructor or (at the latest) from the first network call. */
async function expectInvalidOptions(opts, coze) {
  let app
  try {
    app = new PKCEOAuthApp(opts)
  } catch (e) {
    await expectCozeError(() => { throw e }, { code: 'invalid_argument' })
    return
  }
  await expectCozeError(
    () => app.getAccessToken({ code: 'czs_mock_code_probe', redirectUri: REDIRECT, codeVerifier: 'v'.repeat(43), signal: AbortSignal.timeout(2000) }),
    { code: 'invalid_argument' },
  )
  if (coze) assert.equal(coze.requests.length, 0, 'nothing was sent')
}

function assertToken(tok, issued) {
  assert.equal(typeof tok, 'object')
  const plain = JSON.parse(JSON.stringify(tok))
  assert.deepEqual(plain, { access_token: issued.access_token, refresh_token: issued.refresh_token, expires_in: issued.expires_in, token_type: 'Bearer' })
  assert.deepEqual({ ...tok }, plain, 'a plain object with own properties')
  assert.ok(Number.isInteger(tok.expires_in))
  assert.ok(tok.expires_in > Date.now() / 1000, 'expires_in is absolute Unix seconds')
}

class MemoryStorage {
  map = new Map()
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null }
  setItem(k, v) { this.map.set(k, String(v)) }
  removeItem(k) { this.map.delete(k) }
  get size() { return this.map.size }
}

/** 43-char base64url runs in the stored pending flows: the verifiers (a secret for the leak checks). */
const verifiersIn = (storage) => [...storage.map.values()].flatMap((v) => v.match(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g) ?? [])

// ---- exports ---------------------------------------------------------------------------------

t('exports: region constants and classes', () => {
  assert.equal(COZE_CN_BASE_URL, 'https://api.coze.cn')
  assert.equal(COZE_COM_BASE_URL, 'https://api.coze.com')
  assert.equal(typeof PKCEOAuthApp, 'function')
  assert.equal(typeof CozeAuthError, 'function')
  assert.ok(CozeAuthError.prototype instanceof Error)
})

// ---- getOAuthUrl -----------------------------------------------------------------------------

t('getOAuthUrl: exact URL, parameter order and form encoding', () => withMock(async (coze) => {
  const app = newApp(coze, { clientId: 'client id' })
  const redirectUri = 'http://127.0.0.1:3000/cb?next=/a'
  const state = 'my state/with:chars?&='
  const p = app.getOAuthUrl({ redirectUri, state })
  assert.equal(typeof p?.then, 'function', 'returns a Promise')
  const r = await p
  assert.deepEqual(Object.keys(r).sort(), ['codeChallengeMethod', 'codeVerifier', 'state', 'url'])
  assert.equal(r.state, state, 'caller state kept verbatim')
  assert.equal(r.codeChallengeMethod, 'S256')
  const challenge = b64sha(r.codeVerifier)
  assert.equal(r.url, `${coze.url}${AUTHORIZE}?response_type=code&client_id=client+id`
    + '&redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fcb%3Fnext%3D%2Fa'
    + '&state=my+state%2Fwith%3Achars%3F%26%3D'
    + `&code_challenge=${challenge}&code_challenge_method=S256`)
  assert.equal(coze.requests.length, 0, 'no network')
}))

t('getOAuthUrl: the protocol test vector against the default COM www host', async () => {
  const app = new PKCEOAuthApp({ clientId: 'client id', baseURL: COZE_COM_BASE_URL })
  const r = await app.getOAuthUrl({ redirectUri: 'https://example.com', state: 'state' })
  assert.equal(r.url, 'https://www.coze.com/api/permission/oauth2/authorize?response_type=code&client_id=client+id'
    + `&redirect_uri=https%3A%2F%2Fexample.com&state=state&code_challenge=${b64sha(r.codeVerifier)}&code_challenge_method=S256`)
})

t('getOAuthUrl: default baseURL is CN, www host derived', async () => {
  const r = await new PKCEOAuthApp({ clientId: CLIENT_ID }).getOAuthUrl({ redirectUri: REDIRECT })
  assert.ok(r.url.startsWith(`https://www.coze.cn${AUTHORIZE}?response_type=code&client_id=${CLIENT_ID}&`), r.url)
  const cn = await new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: COZE_CN_BASE_URL }).getOAuthUrl({ redirectUri: REDIRECT })
  assert.ok(cn.url.startsWith(`https://www.coze.cn${AUTHORIZE}?`), cn.url)
  const com = await new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: COZE_COM_BASE_URL }).getOAuthUrl({ redirectUri: REDIRECT })
  assert.ok(com.url.startsWith(`https://www.coze.com${AUTHORIZE}?`), com.url)
})

t('getOAuthUrl: www host derived by replacing api. with www. (private host, port kept)', async () => {
  const r = await new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: 'https://api.example.test:8443' }).getOAuthUrl({ redirectUri: REDIRECT })
  assert.ok(r.url.startsWith(`https://www.example.test:8443${AUTHORIZE}?`), r.url)
})

t('getOAuthUrl: a base without api. is its own www host', () => withMock(async (coze) => {
  const r = await new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: coze.url }).getOAuthUrl({ redirectUri: REDIRECT })
  assert.ok(r.url.startsWith(`${coze.url}${AUTHORIZE}?`), r.url)
}))

t('getOAuthUrl: wwwBaseURL wins over the derived host', async () => {
  const r = await new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: COZE_COM_BASE_URL, wwwBaseURL: 'https://consent.example.test' }).getOAuthUrl({ redirectUri: REDIRECT })
  assert.ok(r.url.startsWith(`https://consent.example.test${AUTHORIZE}?`), r.url)
})

t('getOAuthUrl: a trailing slash on the base never yields a double slash', async () => {
  let app
  try {
    app = new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: 'https://api.coze.cn/' })
  } catch (e) {
    assert.equal(e.code, 'invalid_argument') // rejecting it is fine too
    return
  }
  const r = await app.getOAuthUrl({ redirectUri: REDIRECT })
  assert.ok(r.url.startsWith(`https://www.coze.cn${AUTHORIZE}?`), r.url)
})

t('getOAuthUrl: workspace variant', () => withMock(async (coze) => {
  const r = await newApp(coze).getOAuthUrl({ redirectUri: REDIRECT, workspaceId: '7350000000000000001', state: 's1234567890' })
  assert.equal(r.url, `${coze.url}/api/permission/oauth2/workspace_id/7350000000000000001/authorize?response_type=code&client_id=${CLIENT_ID}`
    + `&redirect_uri=${encodeURIComponent(REDIRECT)}&state=s1234567890&code_challenge=${b64sha(r.codeVerifier)}&code_challenge_method=S256`)
  // and the mock accepts it end to end
  const loc = new URL(await consent(r.url))
  assert.ok(loc.searchParams.get('code'))
  assert.equal(coze.codes.get(loc.searchParams.get('code')).workspace_id, '7350000000000000001')
}))

t('getOAuthUrl: a workspace id cannot add path segments', () => withMock(async (coze) => {
  const app = newApp(coze)
  for (const workspaceId of ['a/b', '../x', 'a?b#c']) {
    let r
    try {
      r = await app.getOAuthUrl({ redirectUri: REDIRECT, workspaceId })
    } catch (e) {
      assert.ok(e instanceof CozeAuthError && e.code === 'invalid_argument', util.inspect(e)) // rejecting is fine too
      continue
    }
    const u = new URL(r.url)
    assert.match(u.pathname, /^\/api\/permission\/oauth2\/workspace_id\/[^/]+\/authorize$/, r.url)
    assert.equal(decodeURIComponent(u.pathname.split('/')[5]), workspaceId)
    assert.equal(u.hash, '')
  }
}))

t('getOAuthUrl: verifier is 43 base64url chars, challenge is its SHA-256, all fresh per call', () => withMock(async (coze) => {
  const app = newApp(coze)
  const seen = { v: new Set(), s: new Set() }
  for (let i = 0; i < 5; i++) {
    const r = await app.getOAuthUrl({ redirectUri: REDIRECT })
    assert.match(r.codeVerifier, /^[A-Za-z0-9_-]{43}$/)
    const u = new URL(r.url)
    assert.equal(u.searchParams.get('code_challenge'), b64sha(r.codeVerifier))
    assert.equal(u.searchParams.get('code_challenge_method'), 'S256')
    assert.match(r.state, /^[A-Za-z0-9_-]{22,}$/, 'generated state: at least 128 bits, base64url')
    assert.equal(u.searchParams.get('state'), r.state)
    seen.v.add(r.codeVerifier)
    seen.s.add(r.state)
  }
  assert.equal(seen.v.size, 5, 'verifiers differ')
  assert.equal(seen.s.size, 5, 'states differ')
}))

t('getOAuthUrl: plain method sends the verifier as the challenge', () => withMock(async (coze) => {
  const app = newApp(coze)
  const r = await app.getOAuthUrl({ redirectUri: REDIRECT, codeChallengeMethod: 'plain' })
  assert.equal(r.codeChallengeMethod, 'plain')
  const u = new URL(r.url)
  assert.equal(u.searchParams.get('code_challenge'), r.codeVerifier)
  assert.equal(u.searchParams.get('code_challenge_method'), 'plain')
  assert.match(r.codeVerifier, /^[A-Za-z0-9_-]{43}$/)
  // and the plain flow completes against the mock
  const loc = new URL(await consent(r.url))
  const tok = await app.getAccessToken({ code: loc.searchParams.get('code'), redirectUri: REDIRECT, codeVerifier: r.codeVerifier })
  assertToken(tok, coze.issued[0])
}))

t('getOAuthUrl: explicit S256', () => withMock(async (coze) => {
  const r = await newApp(coze).getOAuthUrl({ redirectUri: REDIRECT, codeChallengeMethod: 'S256' })
  assert.equal(new URL(r.url).searchParams.get('code_challenge'), b64sha(r.codeVerifier))
}))

// ---- getAccessToken / refreshAccessToken ------------------------------------------------------

t('getAccessToken: exact request and token shape; refresh rotates', () => withMock(async (coze) => {
  const app = newApp(coze)
  const { code, codeVerifier } = await authorize(app)
  const before = coze.requests.length
  const tok = await app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier })
  assert.equal(coze.requests.length, before + 1, 'exactly one request')
  const req = coze.requests.at(-1)
  assert.equal(req.method, 'POST')
  assert.equal(req.path, TOKEN_PATH)
  assert.deepEqual(req.query, {})
  assert.match(req.headers['content-type'], /^application\/json(;\s*charset=utf-8)?$/i)
  assert.equal(req.headers.authorization, undefined, 'no Authorization header for a public client')
  assert.deepEqual(JSON.parse(req.body), { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT, code_verifier: codeVerifier })
  assert.equal(coze.issued.length, 1)
  assertToken(tok, coze.issued[0])

  const tok2 = await app.refreshAccessToken(tok.refresh_token)
  const rreq = coze.requests.at(-1)
  assert.equal(rreq.method, 'POST')
  assert.equal(rreq.path, TOKEN_PATH)
  assert.match(rreq.headers['content-type'], /^application\/json(;\s*charset=utf-8)?$/i)
  assert.equal(rreq.headers.authorization, undefined)
  assert.deepEqual(JSON.parse(rreq.body), { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: tok.refresh_token })
  assertToken(tok2, coze.issued[1])
  assert.notEqual(tok2.refresh_token, tok.refresh_token)

  // the old refresh token no longer works
  const err = await expectCozeError(app.refreshAccessToken(tok.refresh_token),
    { code: 'oauth_error', errorCode: 'invalid_grant', status: 400 },
    [code, codeVerifier, tok.access_token, tok.refresh_token, tok2.access_token, tok2.refresh_token])
  assert.equal(err.logId, coze.requests.at(-1).logId)
  assert.equal(typeof err.errorMessage, 'string')
  // the new one does, with a signal option
  const tok3 = await app.refreshAccessToken(tok2.refresh_token, { signal: new AbortController().signal })
  assertToken(tok3, coze.issued[2])
}))

t('getAccessToken: bad code -> oauth_error invalid_grant, 400, logId', () => withMock(async (coze) => {
  const app = newApp(coze)
  const { codeVerifier } = await app.getOAuthUrl({ redirectUri: REDIRECT })
  const code = 'czs_mock_code_' + crypto.randomBytes(16).toString('hex')
  const err = await expectCozeError(app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier }),
    { code: 'oauth_error', errorCode: 'invalid_grant', errorMessage: 'invalid authorization code', status: 400 },
    [code, codeVerifier])
  assert.match(err.logId, /^[0-9a-f]{32}$/)
  assert.equal(err.logId, tokenRequests(coze)[0].logId)
}))

t('getAccessToken: wrong verifier and code reuse -> invalid_grant', () => withMock(async (coze) => {
  const app = newApp(coze)
  const a = await authorize(app)
  const other = await app.getOAuthUrl({ redirectUri: REDIRECT })
  await expectCozeError(app.getAccessToken({ code: a.code, redirectUri: REDIRECT, codeVerifier: other.codeVerifier }),
    { code: 'oauth_error', errorCode: 'invalid_grant', status: 400 }, [a.code, a.codeVerifier, other.codeVerifier])
  const b = await authorize(app)
  const tok = await app.getAccessToken({ code: b.code, redirectUri: REDIRECT, codeVerifier: b.codeVerifier })
  await expectCozeError(app.getAccessToken({ code: b.code, redirectUri: REDIRECT, codeVerifier: b.codeVerifier }),
    { code: 'oauth_error', errorCode: 'invalid_grant', status: 400 }, [b.code, b.codeVerifier, tok.access_token, tok.refresh_token])
}))

// ---- faults -----------------------------------------------------------------------------------

/** Starts an exchange that will meet `fault`; returns { promise, secrets }. */
async function exchangeWithFault(coze, fault, { app = newApp(coze), faultOpts } = {}) {
  const { codeVerifier } = await app.getOAuthUrl({ redirectUri: REDIRECT })
  const code = 'czs_mock_code_' + crypto.randomBytes(16).toString('hex')
  coze.setFault(fault, faultOpts)
  return { app, code, codeVerifier, promise: app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier }), secrets: [code, codeVerifier] }
}

const tokenSecrets = (coze) => coze.issued.flatMap((i) => [i.access_token, i.refresh_token])

t('fault invalid_json -> invalid_response', () => withMock(async (coze) => {
  const x = await exchangeWithFault(coze, 'invalid_json')
  const err = await expectCozeError(x.promise, { code: 'invalid_response', status: 200 }, x.secrets)
  assert.equal(err.logId, tokenRequests(coze)[0].logId)
}))

t('fault html_502 -> http_error 502', () => withMock(async (coze) => {
  const x = await exchangeWithFault(coze, 'html_502')
  const err = await expectCozeError(x.promise, { code: 'http_error', status: 502, errorCode: undefined }, x.secrets)
  assert.equal(err.logId, tokenRequests(coze)[0].logId)
}))

t('fault error_200 -> oauth_error even with HTTP 200', () => withMock(async (coze) => {
  const x = await exchangeWithFault(coze, 'error_200')
  const err = await expectCozeError(x.promise,
    { code: 'oauth_error', errorCode: 'invalid_grant', errorMessage: 'mock fault error_200: the grant is invalid', status: 200 }, x.secrets)
  assert.equal(err.logId, tokenRequests(coze)[0].logId)
}))

t('fault error_field_400 -> oauth_error from error/error_description', () => withMock(async (coze) => {
  const x = await exchangeWithFault(coze, 'error_field_400')
  const err = await expectCozeError(x.promise,
    { code: 'oauth_error', errorCode: 'invalid_grant', errorMessage: 'mock fault error_field_400: the grant is invalid', status: 400 }, x.secrets)
  assert.equal(err.logId, tokenRequests(coze)[0].logId)
}))

t('fault no_access_token -> invalid_response', () => withMock(async (coze) => {
  const x = await exchangeWithFault(coze, 'no_access_token')
  const err = await expectCozeError(x.promise, { code: 'invalid_response', status: 200 }, [...x.secrets, ...tokenSecrets(coze)])
  assert.equal(err.logId, tokenRequests(coze)[0].logId)
}))

t('fault no_token_type -> success, token_type absent', () => withMock(async (coze) => {
  const x = await exchangeWithFault(coze, 'no_token_type')
  const tok = await x.promise
  const issued = coze.issued[0]
  assert.equal(tok.access_token, issued.access_token)
  assert.equal(tok.refresh_token, issued.refresh_token)
  assert.equal(tok.expires_in, issued.expires_in)
  assert.equal(tok.token_type, undefined)
  assert.deepEqual(JSON.parse(JSON.stringify(tok)), { access_token: issued.access_token, refresh_token: issued.refresh_token, expires_in: issued.expires_in })
}))

t('fault http_500_empty -> http_error 500', () => withMock(async (coze) => {
  const x = await exchangeWithFault(coze, 'http_500_empty')
  const err = await expectCozeError(x.promise, { code: 'http_error', status: 500 }, x.secrets)
  assert.equal(err.logId, tokenRequests(coze)[0].logId)
}))

t('fault redirect -> rejected, redirect not followed', () => withMock(async (coze) => {
  const x = await exchangeWithFault(coze, 'redirect')
  await expectCozeError(x.promise, {}, [...x.secrets])
  await sleep(50)
  assert.equal(coze.requests.filter((r) => r.path === REDIRECT_TARGET_PATH).length, 0, 'the redirect target was never asked')
  assert.equal(coze.issued.length, 0)
}))

t('fault reset -> network_error', () => withMock(async (coze) => {
  const x = await exchangeWithFault(coze, 'reset')
  const err = await expectCozeError(x.promise, { code: 'network_error', status: undefined }, x.secrets)
  assert.equal(tokenRequests(coze).length, 1, 'not retried')
  void err
}))

t('fault hang -> timeout after timeoutMs', () => withMock(async (coze) => {
  const t0 = Date.now()
  const x = await exchangeWithFault(coze, 'hang', { app: newApp(coze, { timeoutMs: 300 }) })
  await expectCozeError(x.promise, { code: 'timeout' }, x.secrets)
  assert.ok(Date.now() - t0 < 5000, 'did not hang')
}))

t('fault slow_body -> timeout covers the body', () => withMock(async (coze) => {
  const t0 = Date.now()
  const x = await exchangeWithFault(coze, 'slow_body', { app: newApp(coze, { timeoutMs: 300 }) })
  await expectCozeError(x.promise, { code: 'timeout' }, x.secrets)
  assert.ok(Date.now() - t0 < 5000, 'did not hang')
}))

t('refreshAccessToken meets faults the same way', () => withMock(async (coze) => {
  const app = newApp(coze)
  const rt = 'czs_mock_rt_' + crypto.randomBytes(16).toString('hex')
  coze.setFault('html_502')
  await expectCozeError(app.refreshAccessToken(rt), { code: 'http_error', status: 502 }, [rt])
  coze.setFault('error_field_400')
  await expectCozeError(app.refreshAccessToken(rt), { code: 'oauth_error', errorCode: 'invalid_grant', status: 400 }, [rt])
  await expectCozeError(app.refreshAccessToken(rt), { code: 'oauth_error', errorCode: 'invalid_grant', status: 400 }, [rt])
  const fast = newApp(coze, { timeoutMs: 300 })
  coze.setFault('hang')
  await expectCozeError(fast.refreshAccessToken(rt), { code: 'timeout' }, [rt])
}))

// ---- abort --------------------------------------------------------------------------------------

async function waitForTokenRequest(coze, n = 1) {
  for (let i = 0; i < 200 && tokenRequests(coze).length < n; i++) await sleep(10)
  assert.equal(tokenRequests(coze).length, n, 'the request reached the mock')
}

t('abort mid-request (hang) -> aborted, promptly', () => withMock(async (coze) => {
  const app = newApp(coze, { timeoutMs: 20_000 })
  const { codeVerifier } = await app.getOAuthUrl({ redirectUri: REDIRECT })
  const code = 'czs_mock_code_' + crypto.randomBytes(16).toString('hex')
  coze.setFault('hang')
  const ac = new AbortController()
  const p = app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier, signal: ac.signal })
  p.catch(() => {})
  await waitForTokenRequest(coze)
  const t0 = Date.now()
  ac.abort()
  await expectCozeError(p, { code: 'aborted' }, [code, codeVerifier])
  assert.ok(Date.now() - t0 < 3000, 'did not wait for the timeout')
}))

t('abort while the body streams (slow_body) -> aborted', () => withMock(async (coze) => {
  const app = newApp(coze, { timeoutMs: 20_000 })
  const { codeVerifier } = await app.getOAuthUrl({ redirectUri: REDIRECT })
  const code = 'czs_mock_code_' + crypto.randomBytes(16).toString('hex')
  coze.setFault('slow_body')
  const ac = new AbortController()
  const p = app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier, signal: ac.signal })
  p.catch(() => {})
  await waitForTokenRequest(coze)
  await sleep(100)
  ac.abort()
  await expectCozeError(p, { code: 'aborted' }, [code, codeVerifier])
}))

t('already-aborted signal -> aborted, nothing sent', () => withMock(async (coze) => {
  const app = newApp(coze)
  const { code, codeVerifier } = await authorize(app)
  await expectCozeError(app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier, signal: AbortSignal.abort() }), { code: 'aborted' }, [code, codeVerifier])
  await expectCozeError(app.refreshAccessToken('czs_mock_rt_never_sent_x', { signal: AbortSignal.abort() }), { code: 'aborted' })
  await sleep(50)
  assert.equal(tokenRequests(coze).length, 0)
  // the code is still good afterwards
  const tok = await app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier })
  assertToken(tok, coze.issued[0])
}))

// ---- invalid arguments ----------------------------------------------------------------------

t('invalid options -> invalid_argument (constructor or first call)', () => withMock(async (coze) => {
  await expectInvalidOptions({}, null)
  await expectInvalidOptions({ baseURL: coze.url, wwwBaseURL: coze.url }, coze)
  await expectInvalidOptions({ clientId: '', baseURL: coze.url, wwwBaseURL: coze.url }, coze)
  await expectInvalidOptions({ clientId: CLIENT_ID, baseURL: 'not a url' }, null)
  await expectInvalidOptions({ clientId: CLIENT_ID, baseURL: 'ftp://x' }, null)
  await expectInvalidOptions({ clientId: CLIENT_ID, baseURL: coze.url, wwwBaseURL: 'not a url' }, coze)
  await expectInvalidOptions({ clientId: CLIENT_ID, baseURL: coze.url, wwwBaseURL: coze.url, timeoutMs: -1 }, coze)
}))

t('getOAuthUrl: missing redirectUri / unknown method -> invalid_argument', () => withMock(async (coze) => {
  const app = newApp(coze)
  await expectCozeError(() => app.getOAuthUrl({}), { code: 'invalid_argument' })
  await expectCozeError(() => app.getOAuthUrl({ redirectUri: '' }), { code: 'invalid_argument' })
  await expectCozeError(() => app.getOAuthUrl({ redirectUri: REDIRECT, codeChallengeMethod: 'S512' }), { code: 'invalid_argument' })
  await expectCozeError(() => app.getOAuthUrl({ redirectUri: REDIRECT, codeChallengeMethod: 's256' }), { code: 'invalid_argument' })
}))

t('getAccessToken / refreshAccessToken: missing arguments -> invalid_argument, nothing sent', () => withMock(async (coze) => {
  const app = newApp(coze)
  const { codeVerifier } = await app.getOAuthUrl({ redirectUri: REDIRECT })
  await expectCozeError(() => app.getAccessToken({ redirectUri: REDIRECT, codeVerifier }), { code: 'invalid_argument' }, [codeVerifier])
  await expectCozeError(() => app.getAccessToken({ code: '', redirectUri: REDIRECT, codeVerifier }), { code: 'invalid_argument' }, [codeVerifier])
  await expectCozeError(() => app.getAccessToken({ code: 'czs_mock_code_abcdefgh', redirectUri: REDIRECT }), { code: 'invalid_argument' }, ['czs_mock_code_abcdefgh'])
  await expectCozeError(() => app.getAccessToken({ code: 'czs_mock_code_abcdefgh', codeVerifier }), { code: 'invalid_argument' }, ['czs_mock_code_abcdefgh', codeVerifier])
  await expectCozeError(() => app.refreshAccessToken(''), { code: 'invalid_argument' })
  assert.equal(coze.requests.length, 0)
}))

// ---- custom fetch -------------------------------------------------------------------------------

t('custom fetch is used, with redirect: manual', () => withMock(async (coze) => {
  const calls = []
  const myFetch = (input, init) => {
    calls.push({ input, init })
    return realFetch(input, init)
  }
  let globalCalls = 0
  globalThis.fetch = (...a) => { globalCalls++; return realFetch(...a) }
  try {
    const app = newApp(coze, { fetch: myFetch })
    const { code, codeVerifier } = await authorize(app)
    const tok = await app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier })
    assertToken(tok, coze.issued[0])
    assert.equal(calls.length, 1)
    const [{ input, init }] = calls
    assert.equal(typeof input, 'string')
    assert.equal(input, coze.url + TOKEN_PATH)
    assert.equal(init.method, 'POST')
    assert.equal(init.redirect, 'manual')
    assert.ok(init.signal instanceof AbortSignal, 'a signal is passed (timeout/abort)')
    await app.refreshAccessToken(tok.refresh_token)
    assert.equal(calls.length, 2)
    assert.equal(calls[1].init.redirect, 'manual')
    assert.equal(globalCalls, 0, 'globalThis.fetch not used')
  } finally {
    globalThis.fetch = realFetch
  }
}))

t('custom fetch that rejects -> network_error with the cause', () => withMock(async (coze) => {
  const boom = new TypeError('fetch failed (test double)')
  const app = newApp(coze, { fetch: async () => { throw boom } })
  const rt = 'czs_mock_rt_' + crypto.randomBytes(16).toString('hex')
  const err = await expectCozeError(app.refreshAccessToken(rt), { code: 'network_error' }, [rt])
  assert.equal(err.cause, boom)
}))

// ---- startLogin / handleCallback ----------------------------------------------------------------

t('startLogin + handleCallback: happy path', () => withMock(async (coze) => {
  const app = newApp(coze)
  const storage = new MemoryStorage()
  const navigated = []
  const res = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: (u) => navigated.push(u) })
  assert.deepEqual(Object.keys(res).sort(), ['state', 'url'])
  assert.deepEqual(navigated, [res.url])
  assert.match(res.state, /^[A-Za-z0-9_-]{22,}$/)
  assert.equal(new URL(res.url).searchParams.get('state'), res.state)
  assert.equal(new URL(res.url).searchParams.get('redirect_uri'), REDIRECT)
  assert.equal(storage.size, 1, 'one pending flow')
  assert.ok([...storage.map.keys()][0].includes(res.state), 'keyed by state')
  assert.equal(coze.requests.length, 0)

  const callback = await consent(res.url)
  const tok = await app.handleCallback(callback, { storage })
  assertToken(tok, coze.issued[0])
  assert.equal(storage.size, 0, 'pending flow deleted')
  const body = JSON.parse(tokenRequests(coze)[0].body)
  assert.equal(body.code, new URL(callback).searchParams.get('code'))
  assert.equal(body.redirect_uri, REDIRECT)
  assert.equal(b64sha(body.code_verifier), new URL(res.url).searchParams.get('code_challenge'))
}))

t('handleCallback: unknown state -> missing_pending_flow; the real flow is kept', () => withMock(async (coze) => {
  const app = newApp(coze)
  const storage = new MemoryStorage()
  const res = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  const callback = new URL(await consent(res.url))
  const code = callback.searchParams.get('code')
  const secrets = [code, ...verifiersIn(storage)]
  callback.searchParams.set('state', res.state.slice(0, -1) + (res.state.endsWith('A') ? 'B' : 'A'))
  await expectCozeError(app.handleCallback(callback.href, { storage }), { code: 'missing_pending_flow' }, secrets)
  callback.searchParams.set('state', 'completely-unknown-state-value')
  await expectCozeError(app.handleCallback(callback.href, { storage }), { code: 'missing_pending_flow' }, secrets)
  assert.equal(storage.size, 1, 'the pending flow is untouched')
  assert.equal(tokenRequests(coze).length, 0)
  // the right callback still completes
  callback.searchParams.set('state', res.state)
  const tok = await app.handleCallback(callback.href, { storage })
  assertToken(tok, coze.issued[0])
}))

t('handleCallback: no state -> invalid_state', () => withMock(async (coze) => {
  const app = newApp(coze)
  const storage = new MemoryStorage()
  const res = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  const callback = new URL(await consent(res.url))
  const code = callback.searchParams.get('code')
  callback.searchParams.delete('state')
  await expectCozeError(app.handleCallback(callback.href, { storage }), { code: 'invalid_state' }, [code, ...verifiersIn(storage)])
  assert.equal(tokenRequests(coze).length, 0)
}))

t('handleCallback: replayed callback -> missing_pending_flow', () => withMock(async (coze) => {
  const app = newApp(coze)
  const storage = new MemoryStorage()
  const res = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  const callback = await consent(res.url)
  const verifiers = verifiersIn(storage)
  const tok = await app.handleCallback(callback, { storage })
  await expectCozeError(app.handleCallback(callback, { storage }), { code: 'missing_pending_flow' },
    [new URL(callback).searchParams.get('code'), ...verifiers, tok.access_token, tok.refresh_token])
  assert.equal(tokenRequests(coze).length, 1, 'the replay sent nothing')
}))

t('handleCallback: error=access_denied -> oauth_error, flow deleted', () => withMock(async (coze) => {
  const app = newApp(coze)
  const storage = new MemoryStorage()
  const res = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  const callback = await consent(res.url, 'deny')
  const u = new URL(callback)
  assert.equal(u.searchParams.get('error'), 'access_denied')
  await expectCozeError(app.handleCallback(callback, { storage }),
    { code: 'oauth_error', errorCode: 'access_denied', errorMessage: u.searchParams.get('error_description') }, verifiersIn(storage))
  assert.equal(storage.size, 0, 'pending flow deleted')
  assert.equal(tokenRequests(coze).length, 0)
}))

t('handleCallback: failed exchange deletes the flow', () => withMock(async (coze) => {
  const app = newApp(coze)
  const storage = new MemoryStorage()
  const res = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  const callback = await consent(res.url)
  const secrets = [new URL(callback).searchParams.get('code'), ...verifiersIn(storage)]
  coze.setFault('html_502')
  const err = await expectCozeError(app.handleCallback(callback, { storage }), { code: 'http_error', status: 502 }, secrets)
  assert.equal(err.logId, tokenRequests(coze)[0].logId)
  assert.equal(storage.size, 0, 'pending flow deleted on failure')
  await expectCozeError(app.handleCallback(callback, { storage }), { code: 'missing_pending_flow' }, secrets)
}))

t('handleCallback: timeout deletes the flow', () => withMock(async (coze) => {
  const app = newApp(coze, { timeoutMs: 300 })
  const storage = new MemoryStorage()
  const res = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  const callback = await consent(res.url)
  coze.setFault('hang')
  await expectCozeError(app.handleCallback(callback, { storage }), { code: 'timeout' }, [new URL(callback).searchParams.get('code')])
  assert.equal(storage.size, 0)
}))

t('handleCallback: neither code nor error -> CozeAuthError, flow deleted, nothing sent', () => withMock(async (coze) => {
  const app = newApp(coze)
  const storage = new MemoryStorage()
  const res = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  await expectCozeError(app.handleCallback(`${REDIRECT}?state=${encodeURIComponent(res.state)}`, { storage }), {}, verifiersIn(storage))
  assert.equal(storage.size, 0)
  assert.equal(coze.requests.length, 0)
}))

t('no storage in Node (no sessionStorage) -> CozeAuthError, not a TypeError', () => withMock(async (coze) => {
  assert.equal(globalThis.sessionStorage, undefined)
  const app = newApp(coze)
  let navigated = 0
  await expectCozeError(() => app.startLogin({ redirectUri: REDIRECT, navigate: () => { navigated++ } }), {})
  assert.equal(navigated, 0, 'no navigation without a stored flow')
  await expectCozeError(() => app.handleCallback(`${REDIRECT}?code=czs_mock_code_abcdefgh&state=abcdefghijklmnopqrstuv`), {}, ['czs_mock_code_abcdefgh'])
  assert.equal(coze.requests.length, 0)
}))

t('two concurrent logins: two entries, each callback completes', () => withMock(async (coze) => {
  const app = newApp(coze)
  const storage = new MemoryStorage()
  const navigated = []
  const [a, b] = await Promise.all([
    app.startLogin({ redirectUri: REDIRECT, storage, navigate: (u) => navigated.push(u) }),
    app.startLogin({ redirectUri: REDIRECT, storage, navigate: (u) => navigated.push(u) }),
  ])
  assert.notEqual(a.state, b.state)
  assert.equal(storage.size, 2)
  assert.deepEqual(navigated.sort(), [a.url, b.url].sort())
  const [cbA, cbB] = [await consent(a.url), await consent(b.url)]
  const tokB = await app.handleCallback(cbB, { storage })
  assert.equal(storage.size, 1)
  const tokA = await app.handleCallback(cbA, { storage })
  assert.equal(storage.size, 0)
  assert.notEqual(tokA.access_token, tokB.access_token)
  const bodies = tokenRequests(coze).map((r) => JSON.parse(r.body))
  assert.equal(bodies[0].code, new URL(cbB).searchParams.get('code'))
  assert.equal(bodies[1].code, new URL(cbA).searchParams.get('code'))
  assert.equal(b64sha(bodies[0].code_verifier), new URL(b.url).searchParams.get('code_challenge'))
  assert.equal(b64sha(bodies[1].code_verifier), new URL(a.url).searchParams.get('code_challenge'))
}))

t('startLogin: workspace and caller state pass through', () => withMock(async (coze) => {
  const app = newApp(coze)
  const storage = new MemoryStorage()
  let url
  const res = await app.startLogin({ redirectUri: REDIRECT, state: 'caller-state-0123456789', workspaceId: '42', storage, navigate: (u) => { url = u } })
  assert.equal(res.state, 'caller-state-0123456789')
  assert.equal(url, res.url)
  assert.ok(res.url.startsWith(`${coze.url}/api/permission/oauth2/workspace_id/42/authorize?`), res.url)
  const tok = await app.handleCallback(await consent(res.url), { storage })
  assertToken(tok, coze.issued[0])
}))

// ---- lifecycle --------------------------------------------------------------------------------

t('free() is idempotent', () => withMock(async (coze) => {
  const app = newApp(coze)
  app.free()
  app.free()
}))
