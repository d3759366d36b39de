// OAuthJWTFlow and botChatScope, from the BUILT package (tests/package/node/node_modules), against the mock
// Coze JWT grant. Every JWT the package mints is verified here independently with node:crypto;
// a custom `fetch` records the exact requests and, for the cache's expiry, rewrites expires_in.
import { describe, test, before, after, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { OAuthJWTFlow, CozeAuthError, botChatScope, memoryTokenStore } from 'coze-auth'
import { rejects } from './helpers.mjs'
import { startMockCoze } from '../../../mock-coze/server.mjs'
import { recordLine } from './hygiene.mjs'

const fixture = (name) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url))
const PKCS1 = fixture('jwt-key-pkcs1.pem').toString('utf8')
const PKCS8 = fixture('jwt-key-pkcs8.pem').toString('utf8')
const KEY2 = fixture('jwt-key2-pkcs8.pem').toString('utf8')
const PUBLIC = crypto.createPublicKey(fixture('jwt-key-public.pem'))
const PUBLIC2 = crypto.createPublicKey(fixture('jwt-key2-public.pem'))
const APP_ID = '1234567890'
const KID = 'kid-1'
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const nowSeconds = () => Math.floor(Date.now() / 1000)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

let coze
before(async () => {
  coze = await startMockCoze({ port: 0 })
  coze.registerJwtKey(KID, fixture('jwt-key-public.pem').toString('utf8'), { appId: APP_ID })
  coze.registerJwtKey('kid-2', fixture('jwt-key2-public.pem').toString('utf8'), { appId: APP_ID })
})
after(() => coze.close())
beforeEach(() => coze.reset())

/** A fetch that records each request ({url, headers, body, jwt}) and may rewrite the answer. */
function recorder(rewrite) {
  const sent = []
  const fetchFn = async (url, init) => {
    const jwt = /^Bearer (.+)$/.exec(init.headers.authorization ?? '')?.[1]
    sent.push({ url, init, headers: init.headers, body: JSON.parse(init.body), jwt })
    const res = await fetch(url, init)
    if (!rewrite || res.status !== 200) return res
    const token = await res.json()
    return new Response(JSON.stringify(rewrite(token)), { status: 200, headers: res.headers })
  }
  return { sent, fetch: fetchFn }
}

const flowOf = (extra = {}) => new OAuthJWTFlow({ appId: APP_ID, keyid: KID, privateKey: PKCS8, baseURL: coze.url, timeoutMs: 5000, ...extra })

/** Splits and verifies a JWT with node:crypto: {header, claims}. */
function verifyJwt(jwt, key = PUBLIC) {
  const [h, c, s] = jwt.split('.')
  assert.ok(crypto.verify('RSA-SHA256', Buffer.from(`${h}.${c}`), key, Buffer.from(s, 'base64url')), 'signature does not verify')
  return { header: JSON.parse(Buffer.from(h, 'base64url')), claims: JSON.parse(Buffer.from(c, 'base64url')) }
}

/** Base64 runs of 16+ characters in `text` that also occur in `pem`: key material leaked. */
function keyMaterialIn(text, pem) {
  const body = pem.replace(/-----[^-]+-----|\s|\\n/g, '')
  return (text.match(/[A-Za-z0-9+/]{16,}/g) ?? []).filter((run) => body.includes(run))
}

describe('the JWT and the request', () => {
  test('exact header, claims and request; signed by the key (key 2 rejects it)', async () => {
    const rec = recorder()
    const flow = flowOf({ fetch: rec.fetch, sessionName: 'user-42', sessionContext: { deviceInfo: { deviceId: 'dev-1', customConsumer: 'shop' } } })
    const before = nowSeconds()
    const token = await flow.getToken()
    assert.deepEqual(Object.keys(token).sort(), ['access_token', 'expires_in', 'token_type'])
    assert.match(token.access_token, /^czs_mock_jwt_/)
    assert.equal(token.token_type, 'Bearer')
    assert.ok(token.expires_in >= before + 900 && token.expires_in <= nowSeconds() + 900)
    const [req] = rec.sent
    assert.equal(req.url, `${coze.url}/api/permission/oauth2/token`)
    assert.equal(req.init.method, 'POST')
    assert.equal(req.init.redirect, 'manual')
    assert.deepEqual(req.headers, { 'content-type': 'application/json', authorization: `Bearer ${req.jwt}` })
    assert.deepEqual(req.body, { grant_type: JWT_GRANT, duration_seconds: 900 })
    assert.equal(req.init.body, `{"grant_type":"${JWT_GRANT}","duration_seconds":900}`)
    const { header, claims } = verifyJwt(req.jwt)
    assert.deepEqual(header, { alg: 'RS256', typ: 'JWT', kid: KID })
    assert.equal(Buffer.from(req.jwt.split('.')[0], 'base64url').toString(), `{"alg":"RS256","typ":"JWT","kid":"${KID}"}`)
    assert.deepEqual(Object.keys(claims), ['iss', 'aud', 'iat', 'exp', 'jti', 'session_name', 'session_context'])
    assert.equal(claims.iss, APP_ID)
    assert.equal(claims.aud, new URL(coze.url).host)
    assert.ok(claims.iat >= before && claims.iat <= nowSeconds())
    assert.equal(claims.exp, claims.iat + 3600)
    assert.match(claims.jti, /^[A-Za-z0-9_-]{22}$/) // 128 bits, base64url
    assert.equal(claims.session_name, 'user-42')
    assert.deepEqual(claims.session_context, { device_info: { device_id: 'dev-1', custom_consumer: 'shop' } })
    const [s] = req.jwt.split('.').slice(2)
    assert.ok(!crypto.verify('RSA-SHA256', Buffer.from(req.jwt.split('.').slice(0, 2).join('.')), PUBLIC2, Buffer.from(s, 'base64url')), 'key 2 accepted a key-1 JWT')
    assert.equal(coze.jwtRequests[0].status, 200)
  })

  test('no session claims unless set; per-call sessionName overrides the flow one', async () => {
    const rec = recorder()
    await flowOf({ fetch: rec.fetch }).getToken()
    assert.deepEqual(Object.keys(verifyJwt(rec.sent[0].jwt).claims), ['iss', 'aud', 'iat', 'exp', 'jti'])
    await flowOf({ fetch: rec.fetch, sessionName: 'a' }).getToken({ sessionName: 'b' })
    assert.equal(verifyJwt(rec.sent[1].jwt).claims.session_name, 'b')
  })

  test('scope, accountId (E6), enterpriseId (E7), durationSeconds, aud option', async () => {
    const rec = recorder()
    const flow = flowOf({ fetch: rec.fetch })
    const scope = botChatScope(['7400000000000000001', '7400000000000000002'])
    assert.deepEqual(scope, {
      account_permission: { permission_list: ['Connector.botChat'] },
      attribute_constraint: { connector_bot_chat_attribute: { bot_id_list: ['7400000000000000001', '7400000000000000002'] } },
    })
    assert.deepEqual(botChatScope([]), { account_permission: { permission_list: ['Connector.botChat'] } })
    assert.throws(() => botChatScope('x'), { code: 'invalid_argument' })
    assert.throws(() => botChatScope([1]), { code: 'invalid_argument' })
    await flow.getToken({ durationSeconds: 86399, scope, accountId: '42' })
    assert.equal(rec.sent[0].url, `${coze.url}/api/permission/oauth2/account/42/token`)
    assert.deepEqual(rec.sent[0].body, { grant_type: JWT_GRANT, duration_seconds: 86399, scope })
    await flow.getToken({ durationSeconds: 1, enterpriseId: 'ent/7' })
    assert.equal(rec.sent[1].url, `${coze.url}/api/permission/oauth2/enterprise_id/ent%2F7/token`)
    assert.equal(coze.jwtRequests[1].enterprise_id, 'ent/7')
    await rejects(flow.getToken({ accountId: '1', enterpriseId: '2' }), { code: 'invalid_argument' })
    const other = flowOf({ fetch: rec.fetch, aud: 'api.coze.cn' })
    await rejects(other.getToken(), { code: 'oauth_error', errorCode: 'invalid_client', status: 401 })
    assert.equal(verifyJwt(rec.sent.at(-1).jwt).claims.aud, 'api.coze.cn')
  })

  test('jti is unique across calls', async () => {
    const rec = recorder()
    const flow = flowOf({ fetch: rec.fetch })
    await Promise.all(Array.from({ length: 30 }, () => flow.getToken()))
    const jtis = new Set(rec.sent.map((r) => verifyJwt(r.jwt).claims.jti))
    assert.equal(jtis.size, 30)
    assert.equal(coze.jwtRequests.filter((r) => r.status === 200).length, 30)
  })

  test('createAssertion: the JWT getToken would send, fresh each time; its signature is what node:crypto and WebCrypto give', async () => {
    const flow = flowOf({ sessionName: 's' })
    const before = nowSeconds()
    const a = await flow.createAssertion({ durationSeconds: 60, sessionName: 'other' })
    const b = await flow.createAssertion()
    assert.notEqual(a, b)
    const { header, claims } = verifyJwt(a)
    assert.deepEqual(header, { alg: 'RS256', typ: 'JWT', kid: KID })
    assert.deepEqual(Object.keys(claims), ['iss', 'aud', 'iat', 'exp', 'jti', 'session_name'])
    assert.equal(claims.session_name, 'other')
    assert.ok(claims.iat >= before && claims.iat <= nowSeconds())
    assert.notEqual(claims.jti, verifyJwt(b).claims.jti)
    assert.throws(() => verifyJwt(a, PUBLIC2))
    // RS256 is deterministic: the same input and key give the same bytes on every path.
    const [h, c, sig] = a.split('.')
    const input = Buffer.from(`${h}.${c}`)
    assert.equal(crypto.sign('sha256', input, crypto.createPrivateKey(PKCS8)).toString('base64url'), sig)
    const key = await crypto.webcrypto.subtle.importKey('pkcs8', crypto.createPrivateKey(PKCS1).export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign'])
    assert.equal(Buffer.from(await crypto.webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', key, input)).toString('base64url'), sig)
    // Checked like getToken's parameters; nothing is sent.
    await rejects(flow.createAssertion({ durationSeconds: 86400 }), { code: 'invalid_argument' })
    await rejects(flow.createAssertion({ scope: 'x' }), { code: 'invalid_argument' })
    assert.equal(coze.requests.length, 0)
  })

  test('durationSeconds outside 1..86399 (or not a whole number) fails before any request', async () => {
    const flow = flowOf()
    for (const durationSeconds of [0, -1, 86400, 1.5, NaN, Infinity, 1e30, '900', true]) {
      await rejects(flow.getToken({ durationSeconds }), { code: 'invalid_argument' })
      await rejects(flow.getAccessToken({ durationSeconds }), { code: 'invalid_argument' })
      // Again: the flow keeps the module's plans of parameters, never a refusal.
      await rejects(flow.getAccessToken({ durationSeconds }), { code: 'invalid_argument' })
    }
    await rejects(flow.getToken({ scope: [] }), { code: 'invalid_argument' })
    await rejects(flow.getToken({ accountId: 42 }), { code: 'invalid_argument' })
    assert.equal(coze.requests.length, 0)
    await flow.getToken({ durationSeconds: 1 })
    assert.equal(coze.jwtHits, 1)
  })

  test('Coze errors are oauth_error with the log id, and never contain the JWT', async () => {
    const rec = recorder()
    const flow = flowOf({ fetch: rec.fetch, keyid: 'not-registered' })
    const err = await rejects(flow.getToken(), { code: 'oauth_error', errorCode: 'invalid_client', status: 401 })
    assert.match(err.errorMessage, /kid not been registred/)
    assert.ok(err.logId)
    const shown = `${err.message} ${err.errorMessage} ${inspect(err)} ${JSON.stringify(err)}`
    assert.ok(!shown.includes(rec.sent[0].jwt.split('.')[2]) && !shown.includes(rec.sent[0].jwt.split('.')[1]))
  })
})

describe('keys', () => {
  test('PKCS#1 and PKCS#8, surrounding whitespace, CRLF and literal \\n all sign verifiable JWTs', async () => {
    for (const privateKey of [PKCS1, PKCS8, `\n\n  ${PKCS8}\n\t `, PKCS1.replace(/\n/g, '\r\n'), PKCS8.trim().replace(/\n/g, '\\n'), PKCS1.trim().replace(/\n/g, '\\n')]) {
      const rec = recorder()
      await flowOf({ privateKey, fetch: rec.fetch }).getToken()
      verifyJwt(rec.sent[0].jwt)
    }
    const rec = recorder()
    await flowOf({ privateKey: KEY2, keyid: 'kid-2', fetch: rec.fetch }).getToken()
    verifyJwt(rec.sent[0].jwt, PUBLIC2)
    assert.throws(() => verifyJwt(rec.sent[0].jwt, PUBLIC))
  })

  test('bad keys are invalid_key at construction, with no key material in the error', () => {
    const truncated = PKCS8.slice(0, 600) + '\n-----END PRIVATE KEY-----\n'
    const lines = PKCS8.trim().split('\n')
    const corrupted = [lines[0], lines[1].replace(/^M/, 'A'), ...lines.slice(2)].join('\n') // not a DER SEQUENCE
    const bad = {
      'not PEM': 'hello',
      'bare base64': lines.slice(1, -1).join(''),
      truncated,
      'corrupted body': corrupted,
      'public key': fixture('jwt-key-public.pem').toString(),
      'encrypted PKCS#8': fixture('jwt-key-encrypted-pkcs8.pem').toString(),
      'encrypted PKCS#1': fixture('jwt-key-encrypted-pkcs1.pem').toString(),
      'EC PKCS#8': fixture('ec-key-pkcs8.pem').toString(),
      'EC SEC1': fixture('ec-key-sec1.pem').toString(),
    }
    for (const [what, privateKey] of Object.entries(bad)) {
      let err
      assert.throws(() => flowOf({ privateKey }), (e) => ((err = e), true), what)
      assert.ok(err instanceof CozeAuthError, `${what}: ${err}`)
      assert.equal(err.code, 'invalid_key', `${what}: ${err.message}`)
      const shown = `${err.message}\n${inspect(err)}\n${JSON.stringify(err)}\n${String(err.stack)}`
      assert.deepEqual(keyMaterialIn(shown, privateKey), [], `${what} leaks key material`)
    }
    assert.throws(() => flowOf({ privateKey: 42 }), { code: 'invalid_argument' })
    assert.throws(() => flowOf({ algorithm: 'HS256' }), { code: 'invalid_argument' })
    flowOf({ algorithm: 'RS256' })
  })

  test('the flow shows no key: util.inspect and JSON.stringify', () => {
    const flow = flowOf({ privateKey: PKCS1 })
    for (const shown of [inspect(flow, { showHidden: true, depth: 5 }), JSON.stringify(flow)]) {
      assert.deepEqual(keyMaterialIn(shown, PKCS1), [])
      assert.deepEqual(keyMaterialIn(shown, PKCS8), [])
    }
  })

  test('WebCrypto signs the fixture input byte-identically to the fixture (PKCS#8 DER of the PKCS#1 key)', async () => {
    // The package imports PKCS#8 DER into WebCrypto the same way; the JWTs above verify with it.
    const der = crypto.createPrivateKey(PKCS1).export({ type: 'pkcs8', format: 'der' })
    const key = await crypto.webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign'])
    const signature = Buffer.from(await crypto.webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', key, fixture('jwt-signing-input.txt')))
    assert.ok(signature.equals(fixture('jwt-signature.bin')))
    assert.equal(signature.toString('base64url'), fixture('jwt-signature.b64url').toString('utf8').trim())
  })
})

describe('getAccessToken: the cache', () => {
  test('200 sequential calls mint once', async () => {
    const flow = flowOf()
    const first = await flow.getAccessToken()
    for (let i = 0; i < 199; i++) assert.deepEqual(await flow.getAccessToken(), first)
    assert.equal(coze.jwtHits, 1)
  })

  test('100 concurrent calls on a fresh flow share one request', async () => {
    const flow = flowOf()
    const tokens = await Promise.all(Array.from({ length: 100 }, () => flow.getAccessToken({ durationSeconds: 600 })))
    assert.equal(new Set(tokens.map((t) => t.access_token)).size, 1)
    assert.equal(coze.jwtHits, 1)
  })

  test('a failed mint is not cached: every waiter sees it, the next call retries', async () => {
    const flow = flowOf()
    coze.failJwt({ times: 1, status: 500, error_code: 'internal_error' })
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => flow.getAccessToken()))
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason.code === 'oauth_error' && r.reason.status === 500))
    assert.equal(coze.jwtHits, 1)
    const token = await flow.getAccessToken()
    assert.match(token.access_token, /^czs_mock_jwt_/)
    assert.equal(coze.jwtHits, 2)
    await flow.getAccessToken()
    assert.equal(coze.jwtHits, 2)
  })

  test('durationSeconds, scope, accountId and sessionName are separate entries', async () => {
    const flow = flowOf()
    const variants = [{}, { durationSeconds: 901 }, { scope: botChatScope(['1']) }, { scope: botChatScope(['2']) }, { accountId: '7' }, { enterpriseId: '7' }, { sessionName: 's' }]
    const first = []
    for (const v of variants) first.push((await flow.getAccessToken(v)).access_token)
    assert.equal(new Set(first).size, variants.length)
    assert.equal(coze.jwtHits, variants.length)
    for (const [i, v] of variants.entries()) assert.equal((await flow.getAccessToken(v)).access_token, first[i])
    assert.equal(coze.jwtHits, variants.length)
    assert.equal((await flow.getAccessToken({ durationSeconds: 900 })).access_token, first[0]) // the default, spelled out
  })

  test('the core margin: a token is replaced once it expires within the margin of its lifetime', async () => {
    // [durationSeconds, margin (the core's table)]: the answer's expires_in is rewritten to now + left.
    for (const [durationSeconds, margin] of [[900, 30], [120, 10], [40, 5], [20, 0]]) {
      for (const [left, cached] of [[margin + 3, true], [margin, false]]) {
        const flow = flowOf({ fetch: recorder((t) => ({ ...t, expires_in: nowSeconds() + left })).fetch })
        coze.reset()
        await flow.getAccessToken({ durationSeconds })
        await flow.getAccessToken({ durationSeconds })
        assert.equal(coze.jwtHits, cached ? 1 : 2, `duration ${durationSeconds}, ${left} s left`)
      }
    }
  })

  test('a short-lived token is minted again after it expires', async () => {
    const flow = flowOf()
    const first = await flow.getAccessToken({ durationSeconds: 2 }) // margin 0
    assert.equal((await flow.getAccessToken({ durationSeconds: 2 })).access_token, first.access_token)
    await sleep((first.expires_in - nowSeconds()) * 1000 + 1100)
    const second = await flow.getAccessToken({ durationSeconds: 2 })
    assert.notEqual(second.access_token, first.access_token)
    assert.equal(coze.jwtHits, 2)
  })

  test("one caller's abort does not fail the others' shared mint", async () => {
    const slow = async (url, init) => {
      await sleep(200)
      return fetch(url, init)
    }
    const flow = flowOf({ fetch: slow })
    const controller = new AbortController()
    const a = flow.getAccessToken({ signal: controller.signal })
    const b = flow.getAccessToken()
    controller.abort()
    await rejects(a, { code: 'aborted' })
    assert.match((await b).access_token, /^czs_mock_jwt_/)
    assert.equal(coze.jwtHits, 1)
    await flow.getAccessToken()
    assert.equal(coze.jwtHits, 1)
  })

  test('free() drops the cache and refuses further calls', async () => {
    const flow = flowOf()
    await flow.getAccessToken()
    flow.free()
    await rejects(flow.getAccessToken(), { code: 'invalid_argument' })
    await rejects(flow.getToken(), { code: 'invalid_argument' })
    await rejects(flow.createAssertion(), { code: 'invalid_argument' })
  })
})

describe('getAccessToken: freshness when Coze\'s clock is off ours', () => {
  // The rule (jwt.ts, localExpiry): a token is fresh until sentAt + (expires_in - Coze's now),
  // Coze's now read from the Date header (else the assertion's iat), never longer than the
  // durationSeconds asked for. Measured with 3-second tokens (margin 0) so the test can wait.
  /** A fetch that drops the Date header: Coze's now is then the assertion's iat. */
  const noDate = async (url, init) => {
    const res = await fetch(url, init)
    const headers = new Headers(res.headers)
    headers.delete('date')
    return new Response(await res.arrayBuffer(), { status: res.status, headers })
  }

  for (const [skew, name] of [[660, '11 minutes fast'], [-300, '5 minutes slow']]) {
    test(`Coze ${name}: the token lives the 3 s Coze granted, on our clock`, async () => {
      coze.clockOffsetSeconds = skew
      const flow = flowOf()
      const sentAt = Date.now()
      const first = await flow.getAccessToken({ durationSeconds: 3 })
      assert.ok(Math.abs(first.expires_in - (nowSeconds() + skew + 3)) <= 1, 'expires_in is on Coze\'s clock')
      // Fresh now (against our clock, a slow Coze's expires_in is already past) ...
      assert.equal((await flow.getAccessToken({ durationSeconds: 3 })).access_token, first.access_token)
      assert.equal(coze.jwtHits, 1)
      // ... and stale once the 3 s are over (against our clock, a fast Coze's lasts 11 more minutes).
      await sleep(Math.max(0, sentAt + 3000 - Date.now()) + 50)
      assert.notEqual((await flow.getAccessToken({ durationSeconds: 3 })).access_token, first.access_token)
      assert.equal(coze.jwtHits, 2)
    })
  }

  test('no Date header: a fast Coze still cannot stretch the lifetime past durationSeconds', async () => {
    coze.clockOffsetSeconds = 660
    const flow = flowOf({ fetch: noDate })
    const sentAt = Date.now()
    const first = await flow.getAccessToken({ durationSeconds: 3 })
    assert.equal((await flow.getAccessToken({ durationSeconds: 3 })).access_token, first.access_token)
    await sleep(Math.max(0, sentAt + 3000 - Date.now()) + 50)
    assert.notEqual((await flow.getAccessToken({ durationSeconds: 3 })).access_token, first.access_token)
    assert.equal(coze.jwtHits, 2)
  })

  test('no Date header: a slow Coze errs early (lifetime = expires_in - iat), never late', async () => {
    coze.clockOffsetSeconds = -300
    const flow = flowOf({ fetch: noDate })
    // 900 s asked, 600 s left by the iat rule: fresh (more than the 30 s margin), shorter than granted.
    const first = await flow.getAccessToken({ durationSeconds: 900 })
    assert.equal((await flow.getAccessToken({ durationSeconds: 900 })).access_token, first.access_token)
    // 3 s asked, 3 - 300 < 0 left by the iat rule: stale at once, minted on every call.
    await flow.getAccessToken({ durationSeconds: 3 })
    await flow.getAccessToken({ durationSeconds: 3 })
    assert.equal(coze.jwtHits, 3)
  })
})

describe('getAccessToken: tokenStore', () => {
  /** A memoryTokenStore that records each call (keys, values, lifetimes, locks). */
  function spyStore(inner = memoryTokenStore()) {
    const calls = []
    return {
      calls,
      inner,
      get: (k) => (calls.push(['get', k]), inner.get(k)),
      set: (k, v, ttl) => (calls.push(['set', k, v, ttl]), inner.set(k, v, ttl)),
      lock: (k, ttl) => (calls.push(['lock', k, ttl]), inner.lock(k, ttl)),
    }
  }

  test('flows sharing a store share the token; the entry holds the token fields only, its lifetime the granted one', async () => {
    const store = spyStore()
    const a = flowOf({ tokenStore: store })
    const b = flowOf({ tokenStore: store })
    const before = Date.now()
    const [ta, tb] = await Promise.all([a.getAccessToken(), b.getAccessToken()])
    assert.equal(ta.access_token, tb.access_token)
    assert.equal(coze.jwtHits, 1)
    const [, key, value, ttl] = store.calls.find((c) => c[0] === 'set')
    assert.match(key, /^jwt:[A-Za-z0-9_-]{43}$/)
    assert.deepEqual(JSON.parse(value), { v: 1, ...ta })
    assert.ok(ttl > 899000 - (Date.now() - before) - 1000 && ttl <= 900000, `ttl ${ttl}`)
    const [, , lockMs] = store.calls.find((c) => c[0] === 'lock')
    assert.equal(lockMs, 5000 + 1000, 'the lock lives the request timeout plus 1 s')
    // Neither the key nor the value carries the private key or the JWT.
    for (const c of store.calls) assert.deepEqual(keyMaterialIn(JSON.stringify(c), PKCS8), [])
  })

  test('a corrupt, shapeless, lifetime-less or stale entry is ignored and replaced', async () => {
    const store = spyStore()
    const first = await flowOf({ tokenStore: store }).getAccessToken()
    const key = store.calls.find((c) => c[0] === 'set')[1]
    const good = JSON.stringify({ v: 1, ...first })
    const bad = [
      ['not json', 'x{', 60000],
      ['an array', '[1]', 60000],
      ['another version', JSON.stringify({ v: 2, ...first }), 60000],
      ['a token with a space', JSON.stringify({ v: 1, ...first, access_token: 'a b' }), 60000],
      ['an empty token', JSON.stringify({ v: 1, ...first, access_token: '' }), 60000],
      ['expires_in not a number', JSON.stringify({ v: 1, ...first, expires_in: 'soon' }), 60000],
      ['a lifetime past any grant', good, 90000 * 1000],
      ['within the margin', good, 20000],
    ]
    for (const [what, value, ttl] of bad) {
      coze.reset()
      await store.inner.set(key, value, ttl)
      const lines = []
      const token = await flowOf({ tokenStore: store, logger: (m) => { recordLine(m); lines.push(m) } }).getAccessToken()
      assert.equal(coze.jwtHits, 1, what)
      assert.notEqual(token.access_token, first.access_token, what)
      const replaced = await store.inner.get(key)
      assert.equal(JSON.parse(replaced.value).access_token, token.access_token, what)
      if (what !== 'within the margin') assert.ok(lines.some((l) => l.includes('ignored an entry that is not a valid token')), what)
    }
  })

  test('a store that throws or hangs: minted here, one warning per flow, the store left alone meanwhile', async () => {
    for (const broken of [
      { get: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:1') }, set: async () => {}, lock: async () => undefined },
      { get: () => new Promise(() => {}), set: () => new Promise(() => {}), lock: () => new Promise(() => {}) },
    ]) {
      coze.reset()
      const lines = []
      const flow = flowOf({ tokenStore: broken, storeTimeoutMs: 100, logger: (m, level) => { recordLine(m); lines.push([m, level]) } })
      const started = Date.now()
      const tokens = await Promise.all([1, 2, 3].map((d) => flow.getAccessToken({ durationSeconds: d })))
      assert.ok(Date.now() - started < 2000)
      assert.equal(new Set(tokens.map((t) => t.access_token)).size, 3)
      assert.equal(coze.jwtHits, 3)
      const warnings = lines.filter(([, level]) => level === 'warn')
      assert.equal(warnings.length, 1, JSON.stringify(lines))
      assert.match(warnings[0][0], /token store unavailable \((get failed: connect ECONNREFUSED|get took more than 100 ms)/)
    }
    assert.throws(() => flowOf({ tokenStore: {} }), { code: 'invalid_argument' })
  })
})

describe('logger', () => {
  test('debug lines with URL, status, logId and timing; no JWT, token or key', async () => {
    const lines = []
    const objectLines = []
    const rec = recorder()
    const fnFlow = flowOf({ fetch: rec.fetch, logger: (message, level) => { recordLine(message); lines.push([message, level]) } })
    const token = await fnFlow.getAccessToken({ accountId: '9' })
    const objFlow = flowOf({ fetch: rec.fetch, keyid: 'unknown', logger: { debug: (m) => { recordLine(m); objectLines.push(m) } } })
    await rejects(objFlow.getToken(), { code: 'oauth_error' })
    assert.equal(lines.length, 1)
    assert.equal(lines[0][1], 'debug')
    assert.match(lines[0][0], new RegExp(`^\\[coze-auth\\] \\[OAuthJWTFlow\\] POST ${coze.url}/api/permission/oauth2/account/9/token -> 200 \\(logId [0-9a-f]+\\) in \\d+ ms$`))
    assert.match(objectLines[0], / -> 401 \(logId [0-9a-f]+\) in \d+ ms$/)
    const all = [...lines.map((l) => l[0]), ...objectLines].join('\n')
    for (const r of rec.sent) for (const part of r.jwt.split('.')) assert.ok(!all.includes(part))
    assert.ok(!all.includes(token.access_token))
    assert.deepEqual(keyMaterialIn(all, PKCS8), [])
    // A throwing logger changes nothing; a bad logger is refused.
    await flowOf({ logger: () => { throw new Error('x') } }).getToken()
    assert.throws(() => flowOf({ logger: {} }), { code: 'invalid_argument' })
  })
})

describe('options from the environment', () => {
  const VARS = [
    'COZELOOP_API_BASE_URL', 'COZE_API_BASE',
    'COZELOOP_JWT_OAUTH_CLIENT_ID', 'COZE_JWT_OAUTH_CLIENT_ID',
    'COZELOOP_JWT_OAUTH_PUBLIC_KEY_ID', 'COZE_JWT_OAUTH_PUBLIC_KEY_ID',
    'COZELOOP_JWT_OAUTH_PRIVATE_KEY', 'COZE_JWT_OAUTH_PRIVATE_KEY', 'COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH',
  ]
  let saved
  beforeEach(() => {
    saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]))
    for (const v of VARS) delete process.env[v]
  })
  afterEach(() => {
    for (const v of VARS) if (saved[v] === undefined) delete process.env[v]
    else process.env[v] = saved[v]
  })

  /** A fetch that answers a token without the network, recording the URL and the JWT. */
  function offline() {
    const sent = []
    return {
      sent,
      fetch: async (url, init) => {
        sent.push({ url, jwt: init.headers.authorization.slice(7) })
        return new Response(JSON.stringify({ access_token: 't', expires_in: nowSeconds() + 900, token_type: 'Bearer' }), { status: 200 })
      },
    }
  }
  const mint = async (options = {}) => {
    const o = offline()
    await new OAuthJWTFlow({ fetch: o.fetch, ...options }).getToken()
    return o.sent[0]
  }

  test('each option falls back to COZELOOP_*, then COZE_*; options win', async () => {
    Object.assign(process.env, {
      COZE_API_BASE: 'https://coze-api.example',
      COZE_JWT_OAUTH_CLIENT_ID: 'coze-app',
      COZE_JWT_OAUTH_PUBLIC_KEY_ID: 'coze-kid',
      COZE_JWT_OAUTH_PRIVATE_KEY: KEY2.trim().replace(/\n/g, '\\n'),
    })
    let sent = await mint()
    let { header, claims } = verifyJwt(sent.jwt, PUBLIC2)
    assert.equal(sent.url, 'https://coze-api.example/api/permission/oauth2/token')
    assert.deepEqual([header.kid, claims.iss, claims.aud], ['coze-kid', 'coze-app', 'coze-api.example'])

    Object.assign(process.env, {
      COZELOOP_API_BASE_URL: 'https://loop.example:8443/',
      COZELOOP_JWT_OAUTH_CLIENT_ID: 'loop-app',
      COZELOOP_JWT_OAUTH_PUBLIC_KEY_ID: 'loop-kid',
      COZELOOP_JWT_OAUTH_PRIVATE_KEY: PKCS1,
    })
    sent = await mint()
    ;({ header, claims } = verifyJwt(sent.jwt, PUBLIC))
    assert.equal(sent.url, 'https://loop.example:8443/api/permission/oauth2/token')
    assert.deepEqual([header.kid, claims.iss, claims.aud], ['loop-kid', 'loop-app', 'loop.example:8443'])

    sent = await mint({ baseURL: 'https://opt.example', appId: 'opt-app', keyid: 'opt-kid', privateKey: KEY2, aud: 'aud.example' })
    ;({ header, claims } = verifyJwt(sent.jwt, PUBLIC2))
    assert.equal(sent.url, 'https://opt.example/api/permission/oauth2/token')
    assert.deepEqual([header.kid, claims.iss, claims.aud], ['opt-kid', 'opt-app', 'aud.example'])
  })

  test('baseURL defaults to https://api.coze.cn (aud api.coze.cn); empty variables count as unset', async () => {
    Object.assign(process.env, { COZELOOP_API_BASE_URL: '', COZE_JWT_OAUTH_CLIENT_ID: 'a', COZELOOP_JWT_OAUTH_CLIENT_ID: '' })
    const sent = await mint({ keyid: 'k', privateKey: PKCS8 })
    assert.equal(sent.url, 'https://api.coze.cn/api/permission/oauth2/token')
    assert.equal(verifyJwt(sent.jwt).claims.aud, 'api.coze.cn')
    assert.equal(verifyJwt(sent.jwt).claims.iss, 'a')
  })

  test('the key file named by COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH is the last fallback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coze-auth-jwt-'))
    const file = join(dir, 'private_key.pem')
    writeFileSync(file, KEY2)
    process.env.COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH = file
    verifyJwt((await mint({ appId: 'a', keyid: 'k' })).jwt, PUBLIC2)
    process.env.COZE_JWT_OAUTH_PRIVATE_KEY = PKCS8 // the inline variable wins over the file
    verifyJwt((await mint({ appId: 'a', keyid: 'k' })).jwt, PUBLIC)
    delete process.env.COZE_JWT_OAUTH_PRIVATE_KEY
    process.env.COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH = join(dir, 'missing.pem')
    assert.throws(() => new OAuthJWTFlow({ appId: 'a', keyid: 'k' }), (e) => e.code === 'invalid_argument' && e.message.includes('COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH') && e.message.includes('ENOENT'))
    writeFileSync(file, 'not a key')
    process.env.COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH = file
    assert.throws(() => new OAuthJWTFlow({ appId: 'a', keyid: 'k' }), { code: 'invalid_key' })
  })

  test('a missing value fails at construction, naming the option and its variables', () => {
    const cases = [
      [{ keyid: 'k', privateKey: PKCS8 }, 'appId', ['COZELOOP_JWT_OAUTH_CLIENT_ID', 'COZE_JWT_OAUTH_CLIENT_ID']],
      [{ appId: 'a', privateKey: PKCS8 }, 'keyid', ['COZELOOP_JWT_OAUTH_PUBLIC_KEY_ID', 'COZE_JWT_OAUTH_PUBLIC_KEY_ID']],
      [{ appId: 'a', keyid: 'k' }, 'privateKey', ['COZELOOP_JWT_OAUTH_PRIVATE_KEY', 'COZE_JWT_OAUTH_PRIVATE_KEY', 'COZE_JWT_OAUTH_PRIVATE_KEY_FILE_PATH']],
    ]
    for (const [options, name, vars] of cases) {
      assert.throws(() => new OAuthJWTFlow(options), (e) => {
        assert.ok(e instanceof CozeAuthError)
        assert.equal(e.code, 'invalid_argument')
        assert.ok(e.message.startsWith(`${name} is required`), e.message)
        for (const v of vars) assert.ok(e.message.includes(v), `${v} in ${e.message}`)
        return true
      })
    }
    assert.throws(() => new OAuthJWTFlow(), { code: 'invalid_argument' })
    assert.throws(() => new OAuthJWTFlow({ appId: 'a', keyid: 'k', privateKey: PKCS8, baseURL: 'ftp://x' }), { code: 'invalid_argument' })
  })
})
