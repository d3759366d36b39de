// Tests of the mock's device code flow: node --test mock-coze/
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startMockCoze, extractConsentHref, TOKEN_PATH, DEVICE_CODE_PATH, DEVICE_GRANT_TYPE, DEVICE_VERIFICATION_PATH, DEFAULT_DEVICE_SCRIPT } from './server.mjs'

const CLIENT_ID = '1234567890.app.coze'

async function withMock(fn, opts) {
  const coze = await startMockCoze({ port: 0, ...opts })
  try {
    return await fn(coze)
  } finally {
    await coze.close()
  }
}

const post = (coze, path, body) => fetch(coze.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

async function deviceCode(coze, path = DEVICE_CODE_PATH, clientId = CLIENT_ID) {
  const res = await post(coze, path, { client_id: clientId })
  assert.equal(res.status, 200)
  return res.json()
}

async function poll(coze, dc, clientId = CLIENT_ID) {
  const res = await post(coze, TOKEN_PATH, { grant_type: DEVICE_GRANT_TYPE, client_id: clientId, device_code: dc.device_code })
  return { status: res.status, headers: res.headers, body: await res.json() }
}

test('device code: default answer, recorded request, workspace variant', () => withMock(async (coze) => {
  const t0 = Math.floor(Date.now() / 1000)
  const dc = await deviceCode(coze)
  assert.deepEqual(Object.keys(dc), ['device_code', 'user_code', 'verification_uri', 'expires_in', 'interval'])
  assert.match(dc.device_code, /^czs_mock_dc_[A-Za-z0-9_-]{32}$/)
  assert.match(dc.user_code, /^[B-Z]{4}-[B-Z]{4}$/)
  assert.equal(dc.verification_uri, coze.url + DEVICE_VERIFICATION_PATH)
  assert.equal(dc.expires_in, 600)
  assert.equal(dc.interval, 5)
  assert.deepEqual(JSON.parse(coze.requests[0].body), { client_id: CLIENT_ID })
  assert.equal(coze.requests[0].path, DEVICE_CODE_PATH)
  const entry = coze.device.codes.get(dc.device_code)
  assert.equal(entry.workspaceId, null)
  assert.ok(Math.abs(entry.expiresAt / 1000 - (t0 + 600)) < 2)

  const ws = await deviceCode(coze, '/api/permission/oauth2/workspace_id/7351/device/code')
  assert.equal(coze.device.codes.get(ws.device_code).workspaceId, '7351')
  const bad = await post(coze, '/api/permission/oauth2/workspace_id/a%20b/device/code', { client_id: CLIENT_ID })
  assert.equal(bad.status, 400)
  const noClient = await post(coze, DEVICE_CODE_PATH, {})
  assert.equal(noClient.status, 400)
  assert.equal((await noClient.json()).error_code, 'invalid_request')
  const get = await fetch(coze.url + DEVICE_CODE_PATH)
  assert.equal(get.status, 405)
}))

test('device code: verification_url, absolute expires_in, no interval', () => withMock(async (coze) => {
  coze.setDeviceScript({ verificationField: 'verification_url', expiresAbsolute: true, expiresIn: 1800, interval: null })
  const t0 = Math.floor(Date.now() / 1000)
  const dc = await deviceCode(coze)
  assert.equal(dc.verification_uri, undefined)
  assert.equal(dc.verification_url, coze.url + DEVICE_VERIFICATION_PATH)
  assert.ok(dc.expires_in >= t0 + 1800 && dc.expires_in <= t0 + 1802)
  assert.equal('interval' in dc, false)
}))

test('device code: userCode, verificationUri and errorMessage send any text the script gives', () => withMock(async (coze) => {
  coze.setDeviceScript({ userCode: 'AB\x1b[2JCD', verificationUri: 'https://evil.example/\x1b]0;t\x07', errorMessage: 'no\x1b[31m', outcome: 'deny', interval: 0 })
  const dc = await deviceCode(coze)
  assert.equal(dc.user_code, 'AB\x1b[2JCD')
  assert.equal(dc.verification_uri, 'https://evil.example/\x1b]0;t\x07')
  assert.deepEqual((await poll(coze, dc)).body, { error_code: 'access_denied', error_message: 'no\x1b[31m' })
  for (const bad of [{ userCode: 1 }, { verificationUri: {} }, { errorMessage: false }]) {
    assert.throws(() => coze.setDeviceScript(bad), /must be a string or null/, JSON.stringify(bad))
  }
}))

test('poll: pending N with slow_down, then a token; the device code is single use', () => withMock(async (coze) => {
  coze.setDeviceScript({ pending: 3, slowDown: [1], interval: 0 })
  const dc = await deviceCode(coze)
  const answers = []
  for (let i = 0; i < 4; i++) answers.push(await poll(coze, dc))
  assert.deepEqual(answers.map((a) => [a.status, a.body.error_code ?? 'token']), [
    [400, 'authorization_pending'], [400, 'slow_down'], [400, 'authorization_pending'], [200, 'token'],
  ])
  assert.match(answers[0].body.error_message, /not authorized/)
  assert.match(answers[3].body.access_token, /^czs_mock_at_/)
  assert.equal(coze.issued.at(-1).grant_type, DEVICE_GRANT_TYPE)
  assert.equal(coze.issued.at(-1).client_id, CLIENT_ID)
  const again = await poll(coze, dc)
  assert.equal(again.status, 400)
  assert.equal(again.body.error_code, 'invalid_grant')
  assert.deepEqual(coze.devicePolls.map((p) => [p.index, p.answer, p.status]), [
    [0, 'authorization_pending', 400], [1, 'slow_down', 400], [2, 'authorization_pending', 400], [3, 'token', 200], [4, 'invalid_grant', 400],
  ])
  assert.equal(coze.devicePolls[0].gapMs, null)
  assert.ok(coze.devicePolls[1].gapMs >= 0)
  assert.ok(coze.devicePolls.every((p) => p.userCode === dc.user_code && typeof p.at === 'number'))
  // slow_down raised the interval the mock expects (0 + 5 s) for later polls.
  assert.equal(coze.devicePolls[2].intervalMs, 5000)
  assert.equal(coze.devicePolls[2].tooEarly, true)
  // The device token refreshes like any other.
  const r = await post(coze, TOKEN_PATH, { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: answers[3].body.refresh_token })
  assert.equal(r.status, 200)
}))

test('poll: every error encoding (error_code / error / both x 200 / 400)', () => withMock(async (coze) => {
  for (const encoding of ['error_code', 'error', 'both']) {
    for (const status of [200, 400]) {
      for (const [outcome, code] of [['deny', 'access_denied'], ['expire', 'expired_token']]) {
        coze.setDeviceScript({ pending: 1, slowDown: [0], encoding, status, outcome, interval: 0 })
        const dc = await deviceCode(coze)
        for (const expected of ['slow_down', code]) {
          const a = await poll(coze, dc)
          assert.equal(a.status, status)
          if (encoding === 'error') {
            assert.deepEqual(Object.keys(a.body), ['error', 'error_description'])
            assert.equal(a.body.error, expected)
          } else {
            assert.equal(a.body.error_code, expected)
            assert.equal('error' in a.body, encoding === 'both')
            assert.equal(typeof a.body.error_message, 'string')
          }
        }
      }
    }
  }
}))

test('poll: pending forever, and the mock enforces the expiry', () => withMock(async (coze) => {
  coze.setDeviceScript({ pending: Infinity, interval: 0, expiresIn: 0.3 })
  const dc = await deviceCode(coze)
  assert.equal(dc.expires_in, 1, 'sent rounded up to whole seconds')
  for (let i = 0; i < 5; i++) assert.equal((await poll(coze, dc)).body.error_code, 'authorization_pending')
  await new Promise((r) => setTimeout(r, 350))
  assert.equal((await poll(coze, dc)).body.error_code, 'expired_token')
}))

test('poll: throttled answers are 429 with Retry-After and do not count as pending', () => withMock(async (coze) => {
  coze.setDeviceScript({ pending: 1, throttle: [0, 2], retryAfter: 3, interval: 0 })
  const dc = await deviceCode(coze)
  const a = []
  for (let i = 0; i < 4; i++) a.push(await poll(coze, dc))
  assert.deepEqual(a.map((x) => x.status), [429, 400, 429, 200])
  assert.equal(a[0].headers.get('retry-after'), '3')
  assert.equal(a[0].body.code, 4013)
  assert.equal(a[1].body.error_code, 'authorization_pending')
  assert.deepEqual(coze.devicePolls.map((p) => p.answer), ['throttled', 'authorization_pending', 'throttled', 'token'])
}))

test('poll: enforceInterval answers slow_down to early polls and flags them', () => withMock(async (coze) => {
  coze.setDeviceScript({ interval: 1, enforceInterval: true })
  const dc = await deviceCode(coze)
  const early = await poll(coze, dc)
  assert.equal(early.body.error_code, 'slow_down')
  assert.equal(coze.devicePolls[0].tooEarly, true)
  assert.equal(coze.devicePolls[0].intervalMs, 1000)
  // The interval is now 6 s: still too early.
  assert.equal((await poll(coze, dc)).body.error_code, 'slow_down')
  assert.equal(coze.devicePolls[1].intervalMs, 6000)
  // Enforced answers do not use up the script: the first scripted answer is still due.
  assert.equal(coze.device.codes.get(dc.device_code).index, 0)
}))

test('poll: manual outcome waits for the user (method, page, or control endpoint)', () => withMock(async (coze) => {
  coze.setDeviceScript({ outcome: 'manual', interval: 0 })
  const a = await deviceCode(coze)
  assert.equal((await poll(coze, a)).body.error_code, 'authorization_pending')
  coze.deviceDecide(a.user_code, 'allow')
  assert.equal((await poll(coze, a)).status, 200)

  const b = await deviceCode(coze)
  const pageRes = await fetch(`${b.verification_uri}?user_code=${encodeURIComponent(b.user_code)}`)
  const html = await pageRes.text()
  assert.match(html, new RegExp(`<code id="user-code">${b.user_code}</code>`))
  const denied = await fetch(new URL(extractConsentHref(html, 'deny'), coze.url))
  assert.equal(denied.status, 200)
  assert.equal((await poll(coze, b)).body.error_code, 'access_denied')

  const c = await deviceCode(coze)
  const res = await post(coze, '/__mock/device-decide', { user_code: c.user_code, decision: 'allow' })
  assert.equal(res.status, 200)
  assert.equal((await poll(coze, c)).status, 200)
  assert.equal((await post(coze, '/__mock/device-decide', { user_code: 'NOPE', decision: 'allow' })).status, 400)
  assert.throws(() => coze.deviceDecide(c.user_code, 'maybe'), /allow or deny/)
}))

test('poll: unknown device code, wrong client_id', () => withMock(async (coze) => {
  const dc = await deviceCode(coze)
  const unknown = await poll(coze, { device_code: 'nope' })
  assert.deepEqual([unknown.status, unknown.body.error_code], [400, 'invalid_grant'])
  const wrong = await poll(coze, dc, 'other-client')
  assert.deepEqual([wrong.status, wrong.body.error_code], [400, 'invalid_grant'])
  assert.doesNotMatch(JSON.stringify(wrong.body), new RegExp(dc.device_code))
  assert.equal(coze.devicePolls.length, 0, 'only polls of a known code by its client are recorded')
}))

test('faults on the token path answer device polls without using up the script', () => withMock(async (coze) => {
  coze.setDeviceScript({ pending: 1, interval: 0 })
  const dc = await deviceCode(coze)
  coze.setFault('html_502')
  assert.equal((await poll(coze, dc).catch(() => null)), null, 'the 502 page is not JSON')
  assert.equal((await poll(coze, dc)).body.error_code, 'authorization_pending')
  assert.equal((await poll(coze, dc)).status, 200)
}))

test('setDeviceScript validates; reset restores the default; control endpoints', () => withMock(async (coze) => {
  for (const bad of [{ nope: 1 }, { pending: -2 }, { pending: 1.5 }, { slowDown: [-1] }, { slowDown: 1 }, { outcome: 'maybe' }, { encoding: 'x' }, { status: 401 }, { interval: -1 }, { expiresIn: 0 }, { verificationField: 'uri' }, null]) {
    assert.throws(() => coze.setDeviceScript(bad), undefined, JSON.stringify(bad))
  }
  coze.setDeviceScript({ pending: 'Infinity' })
  assert.equal(coze.device.script.pending, Infinity)
  coze.reset()
  assert.deepEqual(coze.device.script, { ...DEFAULT_DEVICE_SCRIPT })
  assert.equal(coze.devicePolls.length, 0)

  const ok = await post(coze, '/__mock/device-script', { pending: 1, outcome: 'deny', interval: 0, status: 200, encoding: 'error' })
  assert.equal(ok.status, 200)
  const bad = await post(coze, '/__mock/device-script', { outcome: 'maybe' })
  assert.equal(bad.status, 400)
  assert.match((await bad.json()).error, /outcome/)
  const dc = await deviceCode(coze)
  assert.equal((await poll(coze, dc)).body.error, 'authorization_pending')
  const denied = await poll(coze, dc)
  assert.deepEqual([denied.status, denied.body.error], [200, 'access_denied'])
  const polls = await (await fetch(coze.url + '/__mock/device-polls')).json()
  assert.deepEqual(polls.map((p) => p.answer), ['authorization_pending', 'access_denied'])
  await post(coze, '/__mock/reset', {})
  assert.equal(coze.device.codes.size, 0)
}))
