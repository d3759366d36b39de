// Tests of the mock itself: node --test mock-coze/
import { test } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startMockCoze, extractConsentHref, DEVICE_CODE_PATH, FAULT_NAMES, REDIRECT_TARGET_PATH, TOKEN_PATH, USERS_ME_PATH } from './server.mjs'

const CLIENT_ID = '1234567890.app.coze'
const REDIRECT_URI = 'http://localhost:3000/callback?x=1'
const b64sha = (s) => crypto.createHash('sha256').update(s).digest('base64url')

async function withMock(fn, opts) {
  const coze = await startMockCoze({ port: 0, ...opts })
  try {
    return await fn(coze)
  } finally {
    await coze.close()
  }
}

function authorizeUrl(coze, over = {}, path = '/api/permission/oauth2/authorize') {
  const verifier = over.verifier ?? crypto.randomBytes(32).toString('base64url')
  const method = over.code_challenge_method ?? 'S256'
  const params = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    state: 'state-' + crypto.randomBytes(8).toString('hex'),
    code_challenge: method === 'S256' ? b64sha(verifier) : verifier,
    code_challenge_method: method,
    ...over,
  }
  delete params.verifier
  for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k]
  return { url: `${coze.url}${path}?${new URLSearchParams(params)}`, verifier, state: params.state }
}

async function getCode(coze, over, path) {
  const a = authorizeUrl(coze, over, path)
  const page = await fetch(a.url)
  assert.equal(page.status, 200)
  assert.match(page.headers.get('content-type'), /^text\/html/)
  const html = await page.text()
  const href = extractConsentHref(html, 'allow')
  assert.match(href, /^\/api\/permission\/oauth2\/consent\?.*&decision=allow$/)
  const res = await fetch(new URL(href, coze.url), { redirect: 'manual' })
  assert.equal(res.status, 302)
  const loc = new URL(res.headers.get('location'))
  assert.equal(loc.origin + loc.pathname, 'http://localhost:3000/callback')
  assert.equal(loc.searchParams.get('x'), '1', 'keeps the redirect_uri query')
  assert.equal(loc.searchParams.get('state'), a.state)
  const code = loc.searchParams.get('code')
  assert.ok(code)
  return { ...a, code }
}

function postToken(coze, body, { contentType = 'application/json', raw } = {}) {
  return fetch(coze.url + TOKEN_PATH, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: raw ?? JSON.stringify(body),
    redirect: 'manual',
  })
}

async function jsonOf(res) {
  const text = await res.text()
  return JSON.parse(text)
}

test('PKCE happy path: authorize page -> consent -> code -> token -> refresh -> old refresh token rejected', () => withMock(async (coze) => {
  const { code, verifier } = await getCode(coze)
  const t0 = Math.floor(Date.now() / 1000)
  const res = await postToken(coze, { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier })
  assert.equal(res.status, 200)
  assert.match(res.headers.get('x-tt-logid'), /^[0-9a-f]{32}$/)
  assert.equal(res.headers.get('access-control-allow-origin'), '*')
  assert.equal(res.headers.get('access-control-expose-headers'), 'x-tt-logid')
  const tok = await jsonOf(res)
  assert.deepEqual(Object.keys(tok).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type'])
  assert.match(tok.access_token, /^czs_mock_at_[A-Za-z0-9_-]{20,}$/)
  assert.match(tok.refresh_token, /^czs_mock_rt_[A-Za-z0-9_-]{20,}$/)
  assert.equal(tok.token_type, 'Bearer')
  assert.ok(tok.expires_in >= t0 + 900 && tok.expires_in <= t0 + 902, `absolute expiry: ${tok.expires_in}`)
  assert.equal(coze.issued.length, 1)
  assert.equal(coze.issued[0].access_token, tok.access_token)
  assert.equal(coze.issued[0].client_id, CLIENT_ID)

  const r2 = await postToken(coze, { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: tok.refresh_token })
  assert.equal(r2.status, 200)
  const tok2 = await jsonOf(r2)
  assert.notEqual(tok2.access_token, tok.access_token)
  assert.notEqual(tok2.refresh_token, tok.refresh_token)

  const r3 = await postToken(coze, { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: tok.refresh_token })
  assert.equal(r3.status, 400)
  const err = await jsonOf(r3)
  assert.equal(err.error_code, 'invalid_grant')
  assert.equal(typeof err.error_message, 'string')
  assert.ok(r3.headers.get('x-tt-logid'))

  // the rotated one still works
  const r4 = await postToken(coze, { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: tok2.refresh_token })
  assert.equal(r4.status, 200)

  // recorded requests
  const posts = coze.requests.filter((r) => r.method === 'POST')
  assert.equal(posts.length, 4)
  assert.equal(posts[0].path, TOKEN_PATH)
  assert.equal(posts[0].headers['content-type'], 'application/json')
  assert.deepEqual(JSON.parse(posts[0].body), { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier })
  assert.equal(posts[0].logId, res.headers.get('x-tt-logid'))
  assert.equal(posts[0].status, 200)
  const gets = coze.requests.filter((r) => r.method === 'GET')
  assert.equal(gets[0].path, '/api/permission/oauth2/authorize')
  assert.equal(gets[0].query.client_id, CLIENT_ID)
  assert.equal(gets[0].query.redirect_uri, REDIRECT_URI)
}))

test('plain challenge method and workspace authorize', () => withMock(async (coze) => {
  const { code, verifier } = await getCode(coze, { code_challenge_method: 'plain' }, '/api/permission/oauth2/workspace_id/7350/authorize')
  assert.equal(coze.codes.get(code).workspace_id, '7350')
  const res = await postToken(coze, { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier })
  assert.equal(res.status, 200)
}))

test('S256 check follows RFC 7636 appendix B', () => withMock(async (coze) => {
  // RFC 7636 appendix B test vector
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
  const { code } = await getCode(coze, { verifier })
  assert.equal(coze.codes.get(code).code_challenge, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
  const res = await postToken(coze, { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier })
  assert.equal(res.status, 200)
}))

test('bad verifier rejected (and the code is burnt)', () => withMock(async (coze) => {
  const { code, verifier } = await getCode(coze)
  const res = await postToken(coze, { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier.slice(0, -1) + (verifier.endsWith('A') ? 'B' : 'A') })
  assert.equal(res.status, 400)
  const err = await jsonOf(res)
  assert.equal(err.error_code, 'invalid_grant')
  assert.ok(!err.error_message.includes(code) && !err.error_message.includes(verifier), 'no secrets in messages')
  const again = await postToken(coze, { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier })
  assert.equal(again.status, 400)
  assert.equal(coze.issued.length, 0)
}))

test('plain: verifier must equal challenge', () => withMock(async (coze) => {
  const { code, verifier } = await getCode(coze, { code_challenge_method: 'plain' })
  const res = await postToken(coze, { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: b64sha(verifier) })
  assert.equal(res.status, 400)
}))

test('code reuse rejected', () => withMock(async (coze) => {
  const { code, verifier } = await getCode(coze)
  const body = { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier }
  assert.equal((await postToken(coze, body)).status, 200)
  const res = await postToken(coze, body)
  assert.equal(res.status, 400)
  assert.equal((await jsonOf(res)).error_code, 'invalid_grant')
  assert.equal(coze.issued.length, 1)
}))

test('mismatched client_id / redirect_uri / missing verifier / unknown code rejected', () => withMock(async (coze) => {
  for (const over of [{ client_id: 'other' }, { redirect_uri: 'http://localhost:3000/callback' }, { code_verifier: undefined }, { code: 'czs_mock_code_nope' }]) {
    const { code, verifier } = await getCode(coze)
    const body = { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier, ...over }
    const res = await postToken(coze, body)
    assert.equal(res.status, 400, JSON.stringify(over))
    assert.equal((await jsonOf(res)).error_code, 'invalid_grant', JSON.stringify(over))
  }
  assert.equal(coze.issued.length, 0)
}))

test('codes expire', () => withMock(async (coze) => {
  const { code, verifier } = await getCode(coze)
  coze.codes.get(code).expiresAt = Date.now() - 1
  const res = await postToken(coze, { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier })
  assert.equal(res.status, 400)
  assert.match((await jsonOf(res)).error_message, /expired/)
}))

test('codeTtlMs option', () => withMock(async (coze) => {
  const { code } = await getCode(coze)
  const left = coze.codes.get(code).expiresAt - Date.now()
  assert.ok(left > 0 && left <= 50)
}, { codeTtlMs: 50 }))

test('default code lifetime is 5 minutes', () => withMock(async (coze) => {
  const { code } = await getCode(coze)
  const left = coze.codes.get(code).expiresAt - Date.now()
  assert.ok(left > 290_000 && left <= 300_000, String(left))
}))

test('token endpoint: JSON only, grant_type checked, POST only', () => withMock(async (coze) => {
  let res = await postToken(coze, null, { contentType: 'application/x-www-form-urlencoded', raw: 'grant_type=refresh_token&client_id=a&refresh_token=b' })
  assert.equal(res.status, 400)
  assert.equal((await jsonOf(res)).error_code, 'invalid_request')
  res = await postToken(coze, null, { raw: '{nope' })
  assert.equal(res.status, 400)
  assert.equal((await jsonOf(res)).error_code, 'invalid_request')
  res = await postToken(coze, { client_id: 'a' })
  assert.equal(res.status, 400)
  assert.equal((await jsonOf(res)).error_code, 'invalid_request')
  res = await postToken(coze, { grant_type: 'password', client_id: 'a' })
  assert.equal(res.status, 400)
  assert.equal((await jsonOf(res)).error_code, 'unsupported_grant_type')
  res = await postToken(coze, { grant_type: 'refresh_token', client_id: 'a', refresh_token: 'czs_mock_rt_x' })
  assert.equal(res.status, 400)
  assert.equal((await jsonOf(res)).error_code, 'invalid_grant')
  res = await postToken(coze, { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: 'x' }, { contentType: 'application/json; charset=utf-8' })
  assert.equal((await jsonOf(res)).error_code, 'invalid_grant', 'charset parameter accepted')
  res = await fetch(coze.url + TOKEN_PATH)
  assert.equal(res.status, 405)
  await res.text()
  // a wrong method does not consume a fault
  coze.setFault('html_502')
  res = await fetch(coze.url + TOKEN_PATH)
  assert.equal(res.status, 405)
  await res.text()
  assert.equal(coze.faults.length, 1)
  assert.equal((await postToken(coze, {})).status, 502)
}))

test('refresh token bound to its client_id', () => withMock(async (coze) => {
  const { code, verifier } = await getCode(coze)
  const tok = await jsonOf(await postToken(coze, { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier }))
  const res = await postToken(coze, { grant_type: 'refresh_token', client_id: 'someone-else', refresh_token: tok.refresh_token })
  assert.equal(res.status, 400)
}))

test('authorize validates its parameters', () => withMock(async (coze) => {
  const bad = [
    { response_type: 'token' },
    { response_type: undefined },
    { client_id: '' },
    { redirect_uri: undefined },
    { redirect_uri: 'not a url' },
    { state: undefined },
    { code_challenge: undefined },
    { code_challenge: 'short' },
    { code_challenge_method: 'S512' },
    { code_challenge_method: undefined },
  ]
  for (const over of bad) {
    const res = await fetch(authorizeUrl(coze, over).url)
    assert.equal(res.status, 400, JSON.stringify(over))
    assert.match(await res.text(), /id="errors"/)
  }
  // repeated parameter
  const a = authorizeUrl(coze)
  const res = await fetch(a.url + '&state=again')
  assert.equal(res.status, 400)
  await res.text()
  assert.equal(coze.pending.size, 0)
}))

test('consent deny -> access_denied redirect; consent link is single use', () => withMock(async (coze) => {
  const a = authorizeUrl(coze)
  const html = await (await fetch(a.url)).text()
  assert.match(html, /<a id="deny" href="[^"]*decision=deny"/)
  const res = await fetch(new URL(extractConsentHref(html, 'deny'), coze.url), { redirect: 'manual' })
  assert.equal(res.status, 302)
  const loc = new URL(res.headers.get('location'))
  assert.equal(loc.searchParams.get('error'), 'access_denied')
  assert.ok(loc.searchParams.get('error_description'))
  assert.equal(loc.searchParams.get('state'), a.state)
  assert.equal(loc.searchParams.get('code'), null)
  const again = await fetch(new URL(extractConsentHref(html, 'allow'), coze.url), { redirect: 'manual' })
  assert.equal(again.status, 400)
  await again.text()
}))

test('consent() helper', () => withMock(async (coze) => {
  const a = authorizeUrl(coze)
  const r = await coze.consent(a.url)
  assert.equal(r.state, a.state)
  assert.ok(r.code)
  const d = await coze.consent(authorizeUrl(coze).url, { decision: 'deny' })
  assert.equal(d.error, 'access_denied')
  assert.equal(d.code, null)
}))

test('HTML escaping on the consent page', () => withMock(async (coze) => {
  const a = authorizeUrl(coze, { client_id: '<script>"x"</script>' })
  const html = await (await fetch(a.url)).text()
  assert.ok(!html.includes('<script>'))
  assert.ok(html.includes('&lt;script&gt;&quot;x&quot;'))
}))

test('CORS preflight and headers everywhere', () => withMock(async (coze) => {
  const res = await fetch(coze.url + TOKEN_PATH, {
    method: 'OPTIONS',
    headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  })
  assert.equal(res.status, 204)
  assert.equal(res.headers.get('access-control-allow-origin'), '*')
  assert.match(res.headers.get('access-control-allow-methods'), /POST/)
  assert.match(res.headers.get('access-control-allow-headers'), /content-type/)
  assert.match(res.headers.get('access-control-allow-headers'), /authorization/)
  assert.ok(res.headers.get('x-tt-logid'))
  for (const path of ['/nope', '/api/permission/oauth2/authorize', '/__mock/requests']) {
    const r = await fetch(coze.url + path)
    await r.text()
    assert.equal(r.headers.get('access-control-allow-origin'), '*', path)
    assert.equal(r.headers.get('access-control-expose-headers'), 'x-tt-logid', path)
    assert.ok(r.headers.get('x-tt-logid'), path)
  }
}))

test('requests are recorded with lower-cased headers, query and raw body; /__mock excluded', () => withMock(async (coze) => {
  await (await fetch(coze.url + '/x/y?a=1&b=2&b=3', { method: 'POST', headers: { 'X-Custom-Thing': 'v' }, body: 'raw text' })).text()
  await (await fetch(coze.url + '/__mock/requests')).text()
  assert.equal(coze.requests.length, 1)
  const r = coze.requests[0]
  assert.equal(r.method, 'POST')
  assert.equal(r.path, '/x/y')
  assert.deepEqual(r.query, { a: '1', b: ['2', '3'] })
  assert.equal(r.headers['x-custom-thing'], 'v')
  assert.equal(r.body, 'raw text')
  assert.equal(r.status, 404)
}))

// ---- faults -----------------------------------------------------------------------------------

const anyTokenBody = { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: 'czs_mock_rt_whatever' }

test('fault names', () => {
  assert.deepEqual([...FAULT_NAMES].sort(), ['drip', 'duplicate_keys', 'endless_body', 'error_200', 'error_field_400', 'error_message_only', 'error_param', 'expires_in_string', 'gzip_bomb', 'gzip_endless', 'hang', 'html_502', 'http_500_empty', 'huge_body', 'huge_body_chunked', 'invalid_json', 'invalid_utf8', 'missing_field', 'no_access_token', 'no_token_type', 'numbers_as_strings', 'redirect', 'reset', 'slow_body'])
})

test('setFault rejects unknown names and bad times', () => withMock(async (coze) => {
  assert.throws(() => coze.setFault('nope'), /unknown fault/)
  assert.throws(() => coze.setFault('hang', { times: 0 }), /times/)
}))

test('fault invalid_json', () => withMock(async (coze) => {
  coze.setFault('invalid_json')
  const res = await postToken(coze, anyTokenBody)
  assert.equal(res.status, 200)
  assert.equal(await res.text(), '{not json')
  assert.ok(res.headers.get('x-tt-logid'))
  assert.equal(coze.requests.at(-1).fault, 'invalid_json')
  // times: 1 -> the next one is normal
  const next = await postToken(coze, anyTokenBody)
  assert.equal(next.status, 400)
  assert.equal((await jsonOf(next)).error_code, 'invalid_grant')
}))

test('fault html_502', () => withMock(async (coze) => {
  coze.setFault('html_502')
  const res = await postToken(coze, anyTokenBody)
  assert.equal(res.status, 502)
  assert.match(res.headers.get('content-type'), /text\/html/)
  assert.match(await res.text(), /<html>/)
  assert.ok(res.headers.get('x-tt-logid'))
}))

test('fault error_200', () => withMock(async (coze) => {
  coze.setFault('error_200')
  const res = await postToken(coze, anyTokenBody)
  assert.equal(res.status, 200)
  const b = await jsonOf(res)
  assert.equal(b.error_code, 'invalid_grant')
  assert.equal(typeof b.error_message, 'string')
  assert.equal(b.access_token, undefined)
}))

test('fault error_field_400', () => withMock(async (coze) => {
  coze.setFault('error_field_400')
  const res = await postToken(coze, anyTokenBody)
  assert.equal(res.status, 400)
  const b = await jsonOf(res)
  assert.equal(b.error, 'invalid_grant')
  assert.equal(typeof b.error_description, 'string')
  assert.equal(b.error_code, undefined)
}))

test('fault no_access_token', () => withMock(async (coze) => {
  coze.setFault('no_access_token')
  const res = await postToken(coze, anyTokenBody)
  assert.equal(res.status, 200)
  const b = await jsonOf(res)
  assert.equal(b.access_token, undefined)
  assert.ok(b.refresh_token && b.expires_in && b.token_type)
}))

test('fault no_token_type: a valid, refreshable token', () => withMock(async (coze) => {
  coze.setFault('no_token_type')
  const res = await postToken(coze, anyTokenBody)
  assert.equal(res.status, 200)
  const b = await jsonOf(res)
  assert.deepEqual(Object.keys(b).sort(), ['access_token', 'expires_in', 'refresh_token'])
  const r2 = await postToken(coze, { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: b.refresh_token })
  assert.equal(r2.status, 200)
}))

test('fault http_500_empty', () => withMock(async (coze) => {
  coze.setFault('http_500_empty')
  const res = await postToken(coze, anyTokenBody)
  assert.equal(res.status, 500)
  assert.equal(await res.text(), '')
}))

test('fault redirect: 302 elsewhere; the target would answer a token', () => withMock(async (coze) => {
  coze.setFault('redirect')
  const res = await postToken(coze, anyTokenBody)
  assert.equal(res.status, 302)
  assert.equal(res.headers.get('location'), coze.url + REDIRECT_TARGET_PATH)
  await res.text()
  assert.equal(coze.requests.filter((r) => r.path === REDIRECT_TARGET_PATH).length, 0)
  // a following client would be answered a token (and be seen)
  coze.setFault('redirect')
  const followed = await fetch(coze.url + TOKEN_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(anyTokenBody) })
  assert.equal(followed.status, 200)
  assert.ok((await jsonOf(followed)).access_token)
  assert.equal(coze.requests.filter((r) => r.path === REDIRECT_TARGET_PATH).length, 1)
}))

test('fault reset: network error', () => withMock(async (coze) => {
  coze.setFault('reset')
  await assert.rejects(postToken(coze, anyTokenBody), TypeError)
  assert.equal(coze.requests.at(-1).fault, 'reset')
}))

test('fault hang: no answer; abort works', () => withMock(async (coze) => {
  coze.setFault('hang')
  const ac = new AbortController()
  const p = fetch(coze.url + TOKEN_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: ac.signal })
  const raced = await Promise.race([p.then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(r, 300, 'pending'))])
  assert.equal(raced, 'pending')
  ac.abort()
  await assert.rejects(p, { name: 'AbortError' })
}))

test('fault slow_body: headers at once, body never ends', () => withMock(async (coze) => {
  coze.setFault('slow_body')
  const res = await postToken(coze, anyTokenBody)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type'), /application\/json/)
  const body = res.text().then(() => 'ended', () => 'failed')
  const raced = await Promise.race([body, new Promise((r) => setTimeout(r, 300, 'pending'))])
  assert.equal(raced, 'pending')
  await coze.close()
  assert.equal(await body, 'failed')
}))

test('fault drip: a whole valid token, one byte at a time', () => withMock(async (coze) => {
  coze.setFault('drip')
  const res = await postToken(coze, anyTokenBody)
  const reader = res.body.getReader()
  let reads = 0
  const parts = []
  for (let r = await reader.read(); !r.done; r = await reader.read()) { reads++; parts.push(Buffer.from(r.value)) }
  const token = JSON.parse(Buffer.concat(parts).toString('utf8'))
  assert.match(token.access_token, /^czs_mock_at_/)
  assert.ok(reads > 20, `${reads} reads`)
}))

test('fault huge_body: 10 MB of JSON with a valid token at its head', () => withMock(async (coze) => {
  coze.setFault('huge_body')
  const res = await postToken(coze, anyTokenBody)
  assert.ok(Number(res.headers.get('content-length')) > 10 * 1024 * 1024)
  const text = await res.text()
  assert.ok(text.length > 10 * 1024 * 1024)
  assert.match(JSON.parse(text).access_token, /^czs_mock_at_/)
}))

test('fault huge_body_chunked: the same 10 MB without content-length', () => withMock(async (coze) => {
  coze.setFault('huge_body_chunked')
  const res = await postToken(coze, anyTokenBody)
  assert.equal(res.headers.get('content-length'), null)
  const text = await res.text()
  assert.ok(text.length > 10 * 1024 * 1024)
  assert.match(JSON.parse(text).access_token, /^czs_mock_at_/)
}))

test('faults invalid_utf8, duplicate_keys, numbers_as_strings, expires_in_string, missing_field: token and device code shapes', () => withMock(async (coze) => {
  const bytesOf = async (res) => Buffer.from(await res.arrayBuffer())
  coze.setFault('invalid_utf8')
  const bad = await bytesOf(await postToken(coze, anyTokenBody))
  assert.ok(bad.includes(Buffer.from([0xff, 0xfe])))
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bad))
  coze.setFault('duplicate_keys')
  assert.match((await bytesOf(await postToken(coze, anyTokenBody))).toString(), /^\{"access_token":"[^"]+x","access_token":/)
  coze.setFault('numbers_as_strings')
  assert.equal(typeof (await (await postToken(coze, anyTokenBody)).json()).expires_in, 'string')
  coze.setFault('expires_in_string')
  assert.match((await (await postToken(coze, anyTokenBody)).json()).expires_in, /^\d+$/)
  coze.setFault('missing_field')
  assert.equal((await (await postToken(coze, anyTokenBody)).json()).access_token, undefined)
  const device = (fault) => {
    coze.setFault(fault, { path: DEVICE_CODE_PATH })
    return fetch(coze.url + DEVICE_CODE_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: CLIENT_ID }) })
  }
  const code = await (await device('numbers_as_strings')).json()
  assert.deepEqual([code.expires_in, code.interval], ['600', '5'])
  assert.equal((await (await device('missing_field')).json()).user_code, undefined)
}))

test('fault times: n, Infinity, clearFaults', () => withMock(async (coze) => {
  coze.setFault('http_500_empty', { times: 2 })
  assert.equal((await postToken(coze, anyTokenBody)).status, 500)
  assert.equal((await postToken(coze, anyTokenBody)).status, 500)
  assert.equal((await postToken(coze, anyTokenBody)).status, 400)
  coze.setFault('html_502', { times: Infinity })
  for (let i = 0; i < 3; i++) assert.equal((await postToken(coze, anyTokenBody)).status, 502)
  assert.equal(coze.faults.length, 1)
  coze.clearFaults()
  assert.equal((await postToken(coze, anyTokenBody)).status, 400)
}))

test('faults queue in order', () => withMock(async (coze) => {
  coze.setFault('html_502')
  coze.setFault('http_500_empty')
  assert.equal((await postToken(coze, anyTokenBody)).status, 502)
  assert.equal((await postToken(coze, anyTokenBody)).status, 500)
  assert.equal((await postToken(coze, anyTokenBody)).status, 400)
}))

test('faults do not consume codes; a fault on another path leaves the token endpoint alone', () => withMock(async (coze) => {
  const { code, verifier } = await getCode(coze)
  coze.setFault('html_502', { path: '/api/permission/oauth2/authorize' })
  const body = { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier }
  coze.setFault('http_500_empty')
  assert.equal((await postToken(coze, body)).status, 500)
  assert.equal((await postToken(coze, body)).status, 200)
  const page = await fetch(authorizeUrl(coze).url)
  assert.equal(page.status, 502)
  await page.text()
  coze.setFault('http_500_empty', { path: /authorize$/ })
  const p2 = await fetch(authorizeUrl(coze).url)
  assert.equal(p2.status, 500)
}))

test('control endpoints over HTTP', () => withMock(async (coze) => {
  let r = await fetch(coze.url + '/__mock/fault', { method: 'POST', body: JSON.stringify({ fault: 'html_502', times: 1 }) })
  assert.deepEqual(await jsonOf(r), { ok: true })
  assert.equal((await postToken(coze, anyTokenBody)).status, 502)
  r = await fetch(coze.url + '/__mock/fault', { method: 'POST', body: JSON.stringify({ fault: 'bogus' }) })
  assert.equal(r.status, 400)
  await r.text()
  r = await fetch(coze.url + '/__mock/fault', { method: 'POST', body: JSON.stringify({ fault: 'http_500_empty', times: 'Infinity' }) })
  await r.text()
  assert.equal(coze.faults[0].times, Infinity)
  r = await fetch(coze.url + '/__mock/requests')
  const reqs = await jsonOf(r)
  assert.equal(reqs.length, 1)
  assert.equal(reqs[0].path, TOKEN_PATH)
  r = await fetch(coze.url + '/__mock/reset', { method: 'POST' })
  await r.text()
  assert.equal(coze.faults.length, 0)
  assert.equal(coze.requests.length, 0)
  const { code, verifier } = await getCode(coze)
  await postToken(coze, { grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier })
  const issued = await jsonOf(await fetch(coze.url + '/__mock/issued'))
  assert.equal(issued.length, 1)
  assert.equal(issued[0].client_id, CLIENT_ID)
}))

test('close() with a hanging request and a slow body returns promptly', async () => {
  const coze = await startMockCoze({ port: 0 })
  coze.setFault('hang')
  coze.setFault('slow_body')
  const settle = (p) => p.then(() => 'resolved', (e) => e)
  const hung = settle(fetch(coze.url + TOKEN_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }))
  const slow = await fetch(coze.url + TOKEN_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  const slowBody = settle(slow.text())
  await new Promise((r) => setTimeout(r, 50))
  const t0 = Date.now()
  await coze.close()
  assert.ok(Date.now() - t0 < 2000, 'close() did not hang')
  assert.ok((await hung) instanceof Error, 'the hanging request failed')
  assert.ok((await slowBody) instanceof Error, 'the endless body failed')
  await coze.close() // idempotent
})

test('GET /v1/users/me answers only an issued, unexpired Bearer access token, in the OpenAPI envelope', async () => {
  const me = (coze, authorization) => fetch(coze.url + USERS_ME_PATH, { headers: authorization ? { authorization } : {} })
  await withMock(async (coze) => {
    const { access_token, refresh_token } = coze.mintToken('client-a', 'test')
    const ok = await me(coze, `Bearer ${access_token}`)
    assert.equal(ok.status, 200)
    const body = await jsonOf(ok)
    assert.equal(body.code, 0)
    assert.equal(body.msg, '')
    assert.equal(body.data.user_id, 'mock-user-client-a')
    for (const auth of [undefined, 'Bearer czs_mock_at_unknown', `Bearer ${refresh_token}`, access_token]) {
      const res = await me(coze, auth)
      assert.equal(res.status, 401, String(auth))
      const err = await jsonOf(res)
      assert.equal(err.code, 4100)
      assert.match(err.msg, /unknown access token/)
    }
    const post = await fetch(coze.url + USERS_ME_PATH, { method: 'POST' })
    await post.arrayBuffer()
    assert.equal(post.status, 405)
  })
  // Issued with no lifetime left: expired at once.
  await withMock(async (coze) => {
    const { access_token } = coze.mintToken('client-a', 'test')
    const res = await me(coze, `Bearer ${access_token}`)
    assert.equal(res.status, 401)
    assert.match((await jsonOf(res)).msg, /has expired/)
  }, { tokenTtlSeconds: 0 })
})

test('CLI: prints its URL and exits cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./server.mjs', import.meta.url)), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no banner: ' + out)), 5000)
    child.stdout.on('data', (d) => {
      out += d
      const m = /mock-coze listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) { clearTimeout(t); resolve(m[1]) }
    })
    child.on('exit', () => reject(new Error('exited early: ' + out)))
  })
  const r = await fetch(url + '/__mock/requests')
  assert.deepEqual(await jsonOf(r), [])
  const code = await new Promise((resolve) => {
    child.on('exit', (c, sig) => resolve(c ?? sig))
    child.kill('SIGTERM')
  })
  assert.equal(code, 0)
})
