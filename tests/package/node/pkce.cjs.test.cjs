// The CommonJS entry point of the BUILT npm package: the basics through require('coze-auth').
//   bash scripts/pack-install.sh && node --test tests/package/node/
'use strict'
const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const path = require('node:path')
const { pathToFileURL } = require('node:url')
const { PKCEOAuthApp, CozeAuthError, COZE_CN_BASE_URL, COZE_COM_BASE_URL } = require('coze-auth')

const CLIENT_ID = '7484523669621473318'
const REDIRECT = 'http://127.0.0.1:3000/callback'
const TOKEN_PATH = '/api/permission/oauth2/token'
const b64sha = (s) => crypto.createHash('sha256').update(s, 'ascii').digest('base64url')
const mockModule = () => import(pathToFileURL(path.join(__dirname, '..', '..', '..', 'mock-coze', 'server.mjs')).href)

async function withMock(fn) {
  const { startMockCoze } = await mockModule()
  const coze = await startMockCoze({ port: 0 })
  try {
    return await fn(coze)
  } finally {
    await coze.close()
  }
}

async function consent(authorizeUrl) {
  const { extractConsentHref } = await mockModule()
  const page = await fetch(authorizeUrl)
  const html = await page.text()
  assert.equal(page.status, 200, html)
  const res = await fetch(new URL(extractConsentHref(html, 'allow'), authorizeUrl), { redirect: 'manual' })
  await res.arrayBuffer()
  assert.equal(res.status, 302)
  return new URL(res.headers.get('location'))
}

test('require: exports', () => {
  assert.equal(COZE_CN_BASE_URL, 'https://api.coze.cn')
  assert.equal(COZE_COM_BASE_URL, 'https://api.coze.com')
  assert.equal(typeof PKCEOAuthApp, 'function')
  assert.ok(CozeAuthError.prototype instanceof Error)
})

test('require: getOAuthUrl defaults to www.coze.cn', { timeout: 10_000 }, async () => {
  const r = await new PKCEOAuthApp({ clientId: CLIENT_ID }).getOAuthUrl({ redirectUri: REDIRECT, state: 'abc' })
  assert.equal(r.url, `https://www.coze.cn/api/permission/oauth2/authorize?response_type=code&client_id=${CLIENT_ID}`
    + `&redirect_uri=${encodeURIComponent(REDIRECT)}&state=abc&code_challenge=${b64sha(r.codeVerifier)}&code_challenge_method=S256`)
  assert.match(r.codeVerifier, /^[A-Za-z0-9_-]{43}$/)
})

test('require: full PKCE flow against the mock, then errors', { timeout: 10_000 }, () => withMock(async (coze) => {
  const app = new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: coze.url, wwwBaseURL: coze.url, timeoutMs: 3000 })
  const r = await app.getOAuthUrl({ redirectUri: REDIRECT })
  const code = (await consent(r.url)).searchParams.get('code')
  const tok = await app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier: r.codeVerifier })
  const issued = coze.issued[0]
  assert.deepEqual(JSON.parse(JSON.stringify(tok)), { access_token: issued.access_token, refresh_token: issued.refresh_token, expires_in: issued.expires_in, token_type: 'Bearer' })
  const req = coze.requests.filter((x) => x.path === TOKEN_PATH)[0]
  assert.deepEqual(JSON.parse(req.body), { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT, code_verifier: r.codeVerifier })
  assert.equal(req.headers.authorization, undefined)

  const tok2 = await app.refreshAccessToken(tok.refresh_token)
  assert.equal(tok2.access_token, coze.issued[1].access_token)

  // code reuse
  await assert.rejects(app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier: r.codeVerifier }), (err) => {
    assert.ok(err instanceof CozeAuthError)
    assert.equal(err.name, 'CozeAuthError')
    assert.equal(err.code, 'oauth_error')
    assert.equal(err.errorCode, 'invalid_grant')
    assert.equal(err.status, 400)
    assert.equal(err.logId, coze.requests.at(-1).logId)
    for (const s of [code, r.codeVerifier]) assert.ok(!String(err.message).includes(s) && !String(err).includes(s))
    return true
  })

  coze.setFault('html_502')
  await assert.rejects(app.refreshAccessToken(tok2.refresh_token), (err) => {
    assert.ok(err instanceof CozeAuthError)
    assert.equal(err.code, 'http_error')
    assert.equal(err.status, 502)
    return true
  })
}))

test('require: invalid options -> invalid_argument', async () => {
  let err
  try {
    await new PKCEOAuthApp({ clientId: '' }).getAccessToken({ code: 'c'.repeat(10), redirectUri: REDIRECT, codeVerifier: 'v'.repeat(43), signal: AbortSignal.timeout(2000) })
  } catch (e) {
    err = e
  }
  assert.ok(err instanceof CozeAuthError, String(err))
  assert.equal(err.code, 'invalid_argument')
})
