// Tests of the mock's JWT grant (jwt.mjs) and confidential web clients (web.mjs):
// node --test mock-coze/
import { test } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import fs from 'node:fs'
import { startMockCoze, TOKEN_PATH } from './server.mjs'
import { JWT_GRANT } from './jwt.mjs'

const fixture = (name) => fs.readFileSync(new URL(`../tests/fixtures/${name}`, import.meta.url), 'utf8')
const KEY = fixture('jwt-key-pkcs8.pem')
const PUBLIC_KEY = fixture('jwt-key-public.pem')
const KEY2 = fixture('jwt-key2-pkcs8.pem')
const APP_ID = '1234567890'
const KID = 'fixture-kid'
const now = () => Math.floor(Date.now() / 1000)
const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url')

async function withMock(fn) {
  const coze = await startMockCoze({ port: 0 })
  try {
    coze.registerJwtKey(KID, PUBLIC_KEY, { appId: APP_ID })
    return await fn(coze)
  } finally {
    await coze.close()
  }
}

function signJwt(coze, { header = {}, claims = {}, key = KEY } = {}) {
  const h = { alg: 'RS256', typ: 'JWT', kid: KID, ...header }
  const iat = now()
  const c = { iss: APP_ID, aud: new URL(coze.url).host, iat, exp: iat + 3600, jti: crypto.randomBytes(16).toString('base64url'), ...claims }
  for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k]
  const input = `${b64(h)}.${b64(c)}`
  const sig = crypto.sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')
  return `${input}.${sig}`
}

async function grant(coze, jwt, body = {}, path = TOKEN_PATH) {
  const headers = { 'content-type': 'application/json' }
  if (jwt !== null) headers.authorization = `Bearer ${jwt}`
  const res = await fetch(coze.url + path, {
    method: 'POST',
    headers,
    body: JSON.stringify({ grant_type: JWT_GRANT, duration_seconds: 900, ...body }),
  })
  return { status: res.status, body: await res.json() }
}

test('JWT grant: a valid assertion gets {access_token, expires_in (absolute), token_type}', () => withMock(async (coze) => {
  const before = now()
  const { status, body } = await grant(coze, signJwt(coze, { claims: { session_name: 'u1', session_context: { device_info: { device_id: 'd1' } } } }), { duration_seconds: 600, scope: { account_permission: { permission_list: ['Connector.botChat'] } } })
  assert.equal(status, 200)
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type'])
  assert.match(body.access_token, /^czs_mock_jwt_/)
  assert.ok(body.expires_in >= before + 600 && body.expires_in <= now() + 600)
  assert.equal(body.token_type, 'Bearer')
  assert.equal(coze.jwtHits, 1)
  const [r] = coze.jwtRequests
  assert.equal(r.status, 200)
  assert.equal(r.header.kid, KID)
  assert.equal(r.claims.session_name, 'u1')
  assert.equal(coze.issued.at(-1).grant_type, JWT_GRANT)
  assert.equal(coze.issued.at(-1).client_id, APP_ID)
  assert.equal(coze.issued.at(-1).refresh_token, null)
}))

test('JWT grant on the account and enterprise paths; those paths take only the JWT grant', () => withMock(async (coze) => {
  let r = await grant(coze, signJwt(coze), {}, '/api/permission/oauth2/account/7351/token')
  assert.equal(r.status, 200)
  r = await grant(coze, signJwt(coze), {}, '/api/permission/oauth2/enterprise_id/ent-9/token')
  assert.equal(r.status, 200)
  assert.deepEqual(coze.jwtRequests.map((x) => [x.account_id, x.enterprise_id]), [['7351', null], [null, 'ent-9']])
  assert.deepEqual(coze.issued.map((x) => [x.account_id, x.enterprise_id]), [['7351', null], [null, 'ent-9']])
  r = await grant(coze, signJwt(coze), { grant_type: 'refresh_token', client_id: 'c', refresh_token: 'r' }, '/api/permission/oauth2/account/1/token')
  assert.equal(r.status, 400)
  assert.equal(r.body.error_code, 'unsupported_grant_type')
}))

test('JWT grant refuses every bad assertion, without echoing it', () => withMock(async (coze) => {
  const t = now()
  const cases = [
    ['no Authorization', null, 'verify jwt empty error'],
    ['not a JWT', 'abc', 'three base64url parts'],
    ['unknown kid', signJwt(coze, { header: { kid: 'other' } }), 'kid not been registred'],
    ['signed by another key', signJwt(coze, { key: KEY2 }), 'signature verification failed'],
    ['alg HS256', signJwt(coze, { header: { alg: 'HS256' } }), 'alg must be RS256'],
    ['typ', signJwt(coze, { header: { typ: 'JWS' } }), 'typ must be JWT'],
    ['iss of another app', signJwt(coze, { claims: { iss: '999' } }), 'iss does not own this kid'],
    ['no iss', signJwt(coze, { claims: { iss: undefined } }), 'iss is required'],
    ['wrong aud', signJwt(coze, { claims: { aud: 'api.coze.cn' } }), 'aud is not this server'],
    ['expired', signJwt(coze, { claims: { iat: t - 7200, exp: t - 1 } }), 'expired'],
    ['iat in the future', signJwt(coze, { claims: { iat: t + 600 } }), 'iat'],
    ['short jti', signJwt(coze, { claims: { jti: 'abc' } }), 'jti must be'],
    ['bad session_context', signJwt(coze, { claims: { session_context: 'x' } }), 'session_context'],
  ]
  for (const [name, jwt, message] of cases) {
    const r = await grant(coze, jwt)
    assert.equal(r.status, 401, name)
    assert.equal(r.body.error_code, 'invalid_client', name)
    assert.ok(r.body.error_message.includes(message), `${name}: ${r.body.error_message}`)
    if (jwt?.includes('.')) assert.ok(!JSON.stringify(r.body).includes(jwt.split('.')[2].slice(0, 20)), name)
  }
  assert.equal(coze.jwtHits, cases.length)
  assert.equal(coze.issued.length, 0)
}))

test('JWT grant: jti is single use; duration_seconds and scope are checked', () => withMock(async (coze) => {
  const jwt = signJwt(coze)
  assert.equal((await grant(coze, jwt)).status, 200)
  const again = await grant(coze, jwt)
  assert.equal(again.status, 401)
  assert.match(again.body.error_message, /jti already used/)
  for (const d of [0, -1, 86400, 1.5, '900', undefined]) {
    const r = await grant(coze, signJwt(coze), { duration_seconds: d })
    assert.equal(r.status, 400, String(d))
    assert.equal(r.body.error_code, 'invalid_request')
  }
  for (const d of [1, 86399]) assert.equal((await grant(coze, signJwt(coze), { duration_seconds: d })).status, 200)
  assert.equal((await grant(coze, signJwt(coze), { scope: ['x'] })).status, 400)
}))

test('failJwt: the next grants fail (and count), then it recovers; reset keeps keys', () => withMock(async (coze) => {
  coze.failJwt({ times: 2 })
  coze.failJwt({ status: 429, error_code: 'rate_limited' })
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await grant(coze, signJwt(coze))).status)
  assert.deepEqual(statuses, [500, 500, 429, 200])
  assert.equal(coze.jwtHits, 4)
  assert.throws(() => coze.failJwt({ times: 0 }))
  coze.reset()
  assert.equal(coze.jwtHits, 0)
  assert.equal(coze.jwtRequests.length, 0)
  assert.equal((await grant(coze, signJwt(coze))).status, 200, 'the key is still registered')
}))

test('a key registered without appId accepts any iss', () => withMock(async (coze) => {
  coze.registerJwtKey('k2', fixture('jwt-key2-public.pem'))
  const r = await grant(coze, signJwt(coze, { header: { kid: 'k2' }, claims: { iss: 'any-app' }, key: KEY2 }))
  assert.equal(r.status, 200)
  assert.throws(() => coze.registerJwtKey('', PUBLIC_KEY))
  assert.throws(() => coze.registerJwtKey('k3', 'not a key'))
}))

// ---- web (confidential) clients ----

const WEB_ID = 'web-client-1'
const WEB_SECRET = 'cs_web_secret_1'
const REDIRECT = 'http://localhost:3000/cb'

async function webCode(coze, over = {}) {
  const params = new URLSearchParams({ response_type: 'code', client_id: WEB_ID, redirect_uri: REDIRECT, state: 's1', ...over })
  return coze.consent(`${coze.url}/api/permission/oauth2/authorize?${params}`)
}

function tokenCall(coze, body, authorization) {
  const headers = { 'content-type': 'application/json' }
  if (authorization !== undefined) headers.authorization = authorization
  return fetch(coze.url + TOKEN_PATH, { method: 'POST', headers, body: JSON.stringify(body) })
    .then(async (res) => ({ status: res.status, body: await res.json() }))
}

test('web app: authorize without PKCE, exchange and refresh need Bearer <client_secret>', () => withMock(async (coze) => {
  coze.registerClient(WEB_ID, { secret: WEB_SECRET })
  const { code, state } = await webCode(coze)
  assert.equal(state, 's1')
  const exchange = { grant_type: 'authorization_code', client_id: WEB_ID, code, redirect_uri: REDIRECT }
  for (const auth of [undefined, 'Bearer ', 'Bearer wrong', `Basic ${WEB_SECRET}`]) {
    const r = await tokenCall(coze, exchange, auth)
    assert.equal(r.status, 401, String(auth))
    assert.deepEqual(r.body, { error_code: 'invalid_client', error_message: 'invalid request: client_secret' })
  }
  const ok = await tokenCall(coze, exchange, `Bearer ${WEB_SECRET}`)
  assert.equal(ok.status, 200, JSON.stringify(ok.body))
  const refresh = { grant_type: 'refresh_token', client_id: WEB_ID, refresh_token: ok.body.refresh_token }
  assert.equal((await tokenCall(coze, refresh)).status, 401)
  const refreshed = await tokenCall(coze, refresh, `Bearer ${WEB_SECRET}`)
  assert.equal(refreshed.status, 200)
  assert.notEqual(refreshed.body.refresh_token, ok.body.refresh_token)
}))

test('web app: a client_secret in the body is refused; unregistered clients still need PKCE', () => withMock(async (coze) => {
  coze.registerClient(WEB_ID, { secret: WEB_SECRET })
  const { code } = await webCode(coze)
  const r = await tokenCall(coze, { grant_type: 'authorization_code', client_id: WEB_ID, code, redirect_uri: REDIRECT, client_secret: WEB_SECRET }, `Bearer ${WEB_SECRET}`)
  assert.equal(r.status, 400)
  assert.equal(r.body.error_code, 'invalid_request')
  assert.ok(!JSON.stringify(r.body).includes(WEB_SECRET))
  await assert.rejects(webCode(coze, { client_id: 'public-client' }), /authorize page answered 400/)
  assert.throws(() => coze.registerClient(WEB_ID, {}))
}))

test('the RS256 fixture (what the Rust signer must produce) is what node:crypto and WebCrypto produce', async () => {
  const input = Buffer.from(fixture('jwt-signing-input.txt'))
  const expected = fs.readFileSync(new URL('../tests/fixtures/jwt-signature.bin', import.meta.url))
  assert.ok(crypto.verify('RSA-SHA256', input, PUBLIC_KEY, expected))
  assert.deepEqual(crypto.sign('RSA-SHA256', input, fixture('jwt-key-pkcs1.pem')), expected)
  const der = crypto.createPrivateKey(KEY).export({ type: 'pkcs8', format: 'der' })
  const key = await crypto.webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign'])
  const signature = Buffer.from(await crypto.webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', key, input))
  assert.deepEqual(signature, expected)
  assert.equal(signature.toString('base64url'), fixture('jwt-signature.b64url'))
})
