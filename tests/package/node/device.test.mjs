// DeviceOAuthApp and the `coze-auth login` CLI, from the BUILT package (tests/package/node/node_modules),
// against scripted mock Coze device flows. Intervals are 1 s (the smallest Coze may send), so
// the scenarios run concurrently. No assertion is on wall-clock time: poll spacing is checked
// from the mock's own log of when each poll arrived.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeviceOAuthApp, CozeAuthError } from 'coze-auth'
import { rejects } from './helpers.mjs'
import { startMockCoze, TOKEN_PATH } from '../../../mock-coze/server.mjs'

const CLIENT_ID = 'device-client-1'
const require = createRequire(import.meta.url)
const CLI = join(require.resolve('coze-auth/package.json'), '..', 'bin', 'coze-auth.mjs')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function withMock(script, fn) {
  const coze = await startMockCoze({ port: 0 })
  if (script) coze.setDeviceScript(script)
  try {
    return await fn(coze, new DeviceOAuthApp({ clientId: CLIENT_ID, baseURL: coze.url, timeoutMs: 3000 }))
  } finally {
    await coze.close()
  }
}

describe('device code', { concurrency: true, timeout: 20_000 }, () => {
  test('request shape and every field of the answer', async () => {
    await withMock({ interval: 2, expiresIn: 600 }, async (coze, app) => {
      const before = Math.floor(Date.now() / 1000)
      const dc = await app.getDeviceCode()
      const req = coze.requests.find((r) => r.path === '/api/permission/oauth2/device/code')
      assert.equal(req.method, 'POST')
      assert.deepEqual(JSON.parse(req.body), { client_id: CLIENT_ID })
      assert.equal(req.headers.authorization, undefined)
      assert.match(dc.device_code, /^czs_mock_dc_/)
      assert.match(dc.user_code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
      assert.equal(dc.verification_uri, `${coze.url}/api/permission/oauth2/device/activate`)
      assert.equal(dc.verification_url, `${dc.verification_uri}?user_code=${encodeURIComponent(dc.user_code)}`)
      assert.equal(dc.interval, 2)
      assert.ok(dc.expires_in >= before + 600 && dc.expires_in <= before + 602, `absolute expiry: ${dc.expires_in}`)
    })
  })

  test('workspace path, verification_url field, absolute expires_in, interval defaulting to 5', async () => {
    await withMock({ interval: null, verificationField: 'verification_url', expiresAbsolute: true }, async (coze, app) => {
      const dc = await app.getDeviceCode({ workspaceId: 'ws_42' })
      assert.ok(coze.requests.some((r) => r.path === '/api/permission/oauth2/workspace_id/ws_42/device/code'))
      assert.equal(dc.interval, 5)
      assert.ok(dc.verification_uri.endsWith('/device/activate'))
      assert.ok(Math.abs(dc.expires_in - (Math.floor(Date.now() / 1000) + 600)) <= 2)
    })
  })

  test('bad options and parameters are invalid_argument before any request', async () => {
    assert.throws(() => new DeviceOAuthApp({}), { code: 'invalid_argument' })
    assert.throws(() => new DeviceOAuthApp({ clientId: 'x', baseURL: 'http://example.com' }), { code: 'invalid_argument' })
    await withMock(null, async (coze, app) => {
      await rejects(app.getAccessToken({}), { code: 'invalid_argument' })
      await rejects(app.getAccessToken({ deviceCode: 'x', poll: 'yes' }), { code: 'invalid_argument' })
      assert.equal(coze.requests.length, 0)
    })
  })
})

describe('polling', { concurrency: true, timeout: 30_000 }, () => {
  for (const encoding of ['error_code', 'error']) {
    for (const status of [200, 400]) {
      test(`pending then a token, with the code in \`${encoding}\` and HTTP ${status}`, async () => {
        await withMock({ interval: 1, pending: 2, encoding, status }, async (coze, app) => {
          const dc = await app.getDeviceCode()
          const seen = []
          const token = await app.getAccessToken({ deviceCode: dc.device_code, poll: true, onPending: (p) => seen.push(p) })
          assert.match(token.access_token, /^czs_/)
          assert.ok(token.refresh_token)
          assert.ok(token.expires_in > Date.now() / 1000)
          assert.deepEqual(seen.map((p) => [p.attempt, p.interval, p.expiresAt, p.slowDown]), [
            [1, 1, dc.expires_in, false],
            [2, 1, dc.expires_in, false],
          ])
          const polls = coze.devicePolls
          assert.deepEqual(polls.map((p) => p.answer), ['authorization_pending', 'authorization_pending', 'token'])
          assert.ok(polls.every((p) => !p.tooEarly), 'a poll came sooner than the interval (the first one included)')
        })
      })
    }
  }

  test('slow_down adds 5 s to this and every later interval', async () => {
    await withMock({ interval: 1, pending: 2, slowDown: [0] }, async (coze, app) => {
      const dc = await app.getDeviceCode()
      const seen = []
      await app.getAccessToken({ deviceCode: dc.device_code, poll: true, onPending: (p) => seen.push(p) })
      assert.deepEqual(seen.map((p) => [p.interval, p.slowDown]), [[6, true], [6, false]])
      const polls = coze.devicePolls
      assert.deepEqual(polls.map((p) => p.answer), ['slow_down', 'authorization_pending', 'token'])
      assert.ok(polls[1].gapMs >= 6000 && polls[2].gapMs >= 6000, `gaps ${polls.map((p) => p.gapMs)}`)
      assert.ok(polls.every((p) => !p.tooEarly))
    })
  })

  test('access_denied, expired_token and an unknown error end the flow', async () => {
    for (const [script, errorCode] of [
      [{ interval: 1, outcome: 'deny', encoding: 'error', status: 200 }, 'access_denied'],
      [{ interval: 1, outcome: 'expire' }, 'expired_token'],
    ]) {
      await withMock(script, async (coze, app) => {
        const dc = await app.getDeviceCode()
        const err = await rejects(app.getAccessToken({ deviceCode: dc.device_code, poll: true }), { code: 'oauth_error', errorCode })
        assert.ok(!err.message.includes(dc.device_code))
        assert.equal(coze.devicePolls.length, 1)
      })
    }
    await withMock({ interval: 1 }, async (coze, app) => {
      await rejects(app.getAccessToken({ deviceCode: 'czs_mock_dc_unknown', poll: true }), { code: 'oauth_error', errorCode: 'invalid_grant' })
    })
  })

  test('the flow ends locally at the expiry while the server keeps answering pending', async () => {
    await withMock({ interval: 1, pending: Infinity, expiresIn: 3 }, async (coze, app) => {
      const dc = await app.getDeviceCode()
      const err = await rejects(app.getAccessToken({ deviceCode: dc.device_code, poll: true }), {
        code: 'oauth_error',
        errorCode: 'expired_token',
        status: undefined,
      })
      assert.match(err.message, /new device code/)
      assert.ok(coze.devicePolls.every((p) => p.answer === 'authorization_pending'))
      const polls = coze.devicePolls.length
      await sleep(1500)
      assert.equal(coze.devicePolls.length, polls, 'a poll was sent after the flow ended')
    })
  })

  test('429 with Retry-After, a 500 and a connection reset are retried; five failures in a row give up', async () => {
    await withMock({ interval: 1, pending: 1, throttle: [0], retryAfter: 2 }, async (coze, app) => {
      const dc = await app.getDeviceCode()
      const token = await app.getAccessToken({ deviceCode: dc.device_code, poll: true })
      assert.ok(token.access_token)
      const polls = coze.devicePolls
      assert.deepEqual(polls.map((p) => p.answer), ['throttled', 'authorization_pending', 'token'])
      assert.ok(polls[1].gapMs >= 2000, `Retry-After not honoured: ${polls[1].gapMs} ms`)
    })
    await withMock({ interval: 1 }, async (coze, app) => {
      const dc = await app.getDeviceCode()
      coze.setFault('http_500_empty', { times: 1, path: TOKEN_PATH })
      const token = await app.getAccessToken({ deviceCode: dc.device_code, poll: true })
      assert.ok(token.access_token)
    })
    await withMock({ interval: 1 }, async (coze, app) => {
      const dc = await app.getDeviceCode()
      coze.setFault('reset', { times: 1, path: TOKEN_PATH })
      const token = await app.getAccessToken({ deviceCode: dc.device_code, poll: true })
      assert.ok(token.access_token, 'a connection reset is retried like any network failure')
    })
    await withMock({ interval: 1, throttle: [0, 1, 2, 3, 4, 5], retryAfter: 1 }, async (coze, app) => {
      const dc = await app.getDeviceCode()
      const err = await rejects(app.getAccessToken({ deviceCode: dc.device_code, poll: true }), { status: 429 })
      assert.match(err.message, /5 failures in a row/)
      assert.equal(coze.devicePolls.length, 5)
    })
  })

  test('without poll: one attempt, and pending / slow_down are typed errors', async () => {
    await withMock({ interval: 1, pending: 2, slowDown: [1] }, async (coze, app) => {
      const dc = await app.getDeviceCode()
      await rejects(app.getAccessToken({ deviceCode: dc.device_code }), { code: 'oauth_error', errorCode: 'authorization_pending', status: 400 })
      await rejects(app.getAccessToken({ deviceCode: dc.device_code, poll: false }), { code: 'oauth_error', errorCode: 'slow_down' })
      const token = await app.getAccessToken({ deviceCode: dc.device_code })
      assert.ok(token.access_token)
      assert.equal(coze.devicePolls.length, 3)
      const again = await app.refreshAccessToken(token.refresh_token)
      assert.notEqual(again.access_token, token.access_token)
    })
  })
})

describe('abort', { concurrency: true, timeout: 20_000 }, () => {
  test('while sleeping: rejects with aborted, and no poll is ever sent', async () => {
    await withMock({ interval: 5, pending: Infinity }, async (coze, app) => {
      const dc = await app.getDeviceCode()
      const controller = new AbortController()
      const flow = app.getAccessToken({ deviceCode: dc.device_code, poll: true, signal: controller.signal })
      await sleep(200)
      controller.abort()
      await rejects(flow, { code: 'aborted' })
      assert.equal(coze.devicePolls.length, 0, 'the flow polled before its first interval')
      await sleep(5500)
      assert.equal(coze.devicePolls.length, 0, 'a timer outlived the aborted flow')
    })
  })

  test('while a poll hangs: rejects with aborted and polls no more', async () => {
    await withMock({ interval: 1, pending: Infinity }, async (coze, app) => {
      const dc = await app.getDeviceCode()
      coze.setFault('hang', { times: 1, path: TOKEN_PATH })
      const controller = new AbortController()
      const flow = app.getAccessToken({ deviceCode: dc.device_code, poll: true, signal: controller.signal })
      while (!coze.requests.some((r) => r.path === TOKEN_PATH)) await sleep(50)
      controller.abort()
      await rejects(flow, { code: 'aborted' })
      const sent = coze.requests.filter((r) => r.path === TOKEN_PATH).length
      await sleep(2500)
      assert.equal(coze.requests.filter((r) => r.path === TOKEN_PATH).length, sent)
    })
  })

  test('an already aborted signal sends nothing', async () => {
    await withMock({ interval: 1 }, async (coze, app) => {
      await rejects(app.getDeviceCode({ signal: AbortSignal.abort() }), { code: 'aborted' })
      assert.equal(coze.requests.length, 0)
    })
  })
})

test('the browser build refuses DeviceOAuthApp with `unsupported`', async () => {
  const browser = await import(join(require.resolve('coze-auth/package.json'), '..', 'browser', 'index.js'))
  assert.throws(() => new browser.DeviceOAuthApp({ clientId: 'x' }), (e) => e instanceof browser.CozeAuthError && e.code === 'unsupported' && /Node/.test(e.message))
})

/** The CLI saves logins here, not in the real ~/.config (tests/package/node/cli.test.mjs tests that file). */
const CONFIG_HOME = mkdtempSync(join(tmpdir(), 'coze-auth-config-'))

/** Runs the CLI; resolves with {code, signal, stdout, stderr}. `onStderr` sees stderr as it comes. */
function cli(args, onStderr) {
  return new Promise((resolve) => {
    const env = { ...process.env, XDG_CONFIG_HOME: CONFIG_HOME }
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => {
      stderr += d
      onStderr?.(stderr, child)
    })
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

describe('coze-auth login (CLI)', { concurrency: true, timeout: 30_000 }, () => {
  test('prints the code and URL, then the token as JSON on stdout', async () => {
    await withMock({ interval: 1, pending: 1 }, async (coze) => {
      const r = await cli(['login', '--client-id', CLIENT_ID, '--base-url', coze.url])
      assert.equal(r.code, 0, r.stderr)
      const token = JSON.parse(r.stdout)
      assert.match(token.access_token, /^czs_/)
      const dc = [...coze.device.codes.values()][0]
      assert.ok(r.stderr.includes(dc.userCode))
      assert.ok(r.stderr.includes('/device/activate?user_code='))
      assert.ok(!r.stderr.includes(token.access_token))
    })
  })

  test('--out writes the token with mode 0600, also over an existing file', async () => {
    await withMock({ interval: 1 }, async (coze) => {
      const out = join(mkdtempSync(join(tmpdir(), 'coze-auth-')), 'token.json')
      writeFileSync(out, 'old', { mode: 0o644 })
      const r = await cli(['login', '--client-id', CLIENT_ID, '--base-url', coze.url, '--out', out, '--no-qr'])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, '')
      assert.equal(statSync(out).mode & 0o777, 0o600)
      assert.match(JSON.parse(readFileSync(out, 'utf8')).access_token, /^czs_/)
    })
  })

  test('a denied login is one line on stderr and a non-zero exit', async () => {
    await withMock({ interval: 1, outcome: 'deny' }, async (coze) => {
      const r = await cli(['login', '--client-id', CLIENT_ID, '--base-url', coze.url, '--no-qr'])
      assert.equal(r.code, 1)
      assert.equal(r.stdout, '')
      const last = r.stderr.trim().split('\n').at(-1)
      assert.match(last, /^coze-auth: .*access_denied/)
    })
  })

  test('Ctrl-C (SIGINT) aborts at once with exit 130', async () => {
    await withMock({ interval: 5, pending: Infinity }, async (coze) => {
      let sent = false
      const r = await cli(['login', '--client-id', CLIENT_ID, '--base-url', coze.url, '--no-qr'], (text, child) => {
        if (!sent && text.includes('enter the code')) {
          sent = true
          child.kill('SIGINT')
        }
      })
      assert.equal(r.code, 130, r.stderr)
      assert.match(r.stderr, /login cancelled/)
      assert.equal(coze.devicePolls.length, 0)
    })
  })

  test('usage errors exit 2 with a clear line', async () => {
    for (const args of [[], ['login'], ['logout', '--client-id', 'x'], ['login', '--client-id', 'x', '--region', 'eu'], ['login', '--client-id', 'x', '--bogus']]) {
      const r = await cli(args)
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /^coze-auth: /)
    }
  })
})
