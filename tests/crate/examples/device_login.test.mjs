// Runs the Rust example examples/device_login.rs (coze_auth::reqwest::ReqwestTransport and
// TokioSleeper, feature `reqwest`) against the mock Coze: a login that waits for the user once, a
// user who declines, a server that never answers (the transport's time limit must end it), a
// redirect, and usage errors. Builds the examples first (a no-op when they are up to date).
import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { DEVICE_CODE_PATH } from '../../../mock-coze/server.mjs'
import { buildExample, run as runExample, withMock as withFreshMock } from './helpers.mjs'

const CLIENT_ID = 'device-example-client'
let example

before(() => {
  example = buildExample('device_login')
})

/** Runs the example; resolves with { code, stdout, stderr, ms }. */
const run = (args) => runExample(example, args)

function withMock(script, fn) {
  return withFreshMock((coze) => {
    coze.setDeviceScript(script)
    return fn(coze)
  })
}

describe('examples/device_login.rs against the mock Coze', { concurrency: true, timeout: 60_000 }, () => {
  test('prints the user code, waits one interval per pending answer, then prints the token as JSON', async () => {
    await withMock({ pending: 1, interval: 1, enforceInterval: true }, async (coze) => {
      const r = await run(['--client-id', CLIENT_ID, '--base-url', coze.url])
      assert.equal(r.code, 0, r.stderr)
      const token = JSON.parse(r.stdout)
      assert.match(token.access_token, /^czs_mock_at_/)
      assert.match(token.refresh_token, /^czs_mock_rt_/)
      assert.equal(token.token_type, 'Bearer')
      assert.ok(token.expires_in > Date.now() / 1000, 'expires_in is absolute Unix seconds')
      // The token is the one the mock issued to this client through the device grant.
      const issued = coze.issued.find((t) => t.access_token === token.access_token)
      assert.equal(issued?.client_id, CLIENT_ID)
      const dc = [...coze.device.codes.values()][0]
      assert.match(r.stderr, new RegExp(`enter the code ${dc.userCode}`))
      assert.match(r.stderr, /poll 1: waiting for you; next in 1 s/)
      // Two polls, neither too early (the mock would have answered slow_down).
      assert.deepEqual(coze.devicePolls.map((p) => [p.answer, p.tooEarly]), [['authorization_pending', false], ['token', false]])
      const poll = coze.requests.filter((q) => q.path === '/api/permission/oauth2/token')[0]
      assert.equal(poll.headers.authorization, undefined)
      assert.deepEqual(JSON.parse(poll.body), {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: CLIENT_ID,
        device_code: [...coze.device.codes.keys()][0],
      })
    })
  })

  test('a user who declines: one line on stderr with the error code, exit 1', async () => {
    await withMock({ outcome: 'deny', interval: 1 }, async (coze) => {
      const r = await run(['--client-id', CLIENT_ID, '--base-url', coze.url])
      assert.equal(r.code, 1)
      assert.equal(r.stdout, '')
      assert.match(r.stderr, /login failed \[oauth_error\]: .*access_denied/)
    })
  })

  test('a server that never answers: the transport gives up after --timeout-ms', async () => {
    await withMock({}, async (coze) => {
      coze.setFault('hang', { path: DEVICE_CODE_PATH })
      const r = await run(['--client-id', CLIENT_ID, '--base-url', coze.url, '--timeout-ms', '300'])
      assert.equal(r.code, 1)
      assert.match(r.stderr, /login failed \[timeout\]/)
      assert.ok(r.ms < 5000, `ended after ${r.ms} ms`)
    })
  })

  test('a redirect is answered, not followed', async () => {
    await withMock({}, async (coze) => {
      coze.setFault('redirect', { path: DEVICE_CODE_PATH })
      const r = await run(['--client-id', CLIENT_ID, '--base-url', coze.url])
      assert.equal(r.code, 1)
      assert.match(r.stderr, /login failed \[http_error\]: .*redirect/)
      assert.equal(coze.requests.filter((q) => q.path !== DEVICE_CODE_PATH).length, 0, 'the redirect target was never asked')
    })
  })

  test('usage errors exit 2', async () => {
    const r = await run([])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--client-id is required/)
  })
})
