// Runs the Rust example examples/web_login.rs (a confidential client) against the mock Coze, the
// test playing the browser as in pkce_login.test.mjs. The mock knows the app as a web client
// (registerClient), so the exchange needs `Authorization: Bearer <client secret>` and no PKCE.
import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { TOKEN_PATH } from '../../../mock-coze/server.mjs'
import { AUTHORIZE_URL_LINE, buildExample, playBrowser, run, start, withMock } from './helpers.mjs'

const CLIENT_ID = 'web-example-client'
const SECRET = 'web-example-secret-Zq81'
let example

before(() => {
  example = buildExample('web_login')
})

const args = (coze) => ['--client-id', CLIENT_ID, '--base-url', coze.url, '--www-base-url', coze.url, '--port', '0']

describe('examples/web_login.rs against the mock Coze', { concurrency: true, timeout: 60_000 }, () => {
  test('logs in with the client secret as a bearer token, never in the body', async () => {
    await withMock(async (coze) => {
      coze.registerClient(CLIENT_ID, { secret: SECRET })
      const ex = start(example, args(coze), { COZE_WEB_OAUTH_CLIENT_SECRET: SECRET })
      const [, url] = await ex.stderrMatch(AUTHORIZE_URL_LINE)
      const authorize = new URL(url)
      assert.equal(authorize.searchParams.get('response_type'), 'code')
      assert.equal(authorize.searchParams.get('code_challenge'), null, 'no PKCE for a confidential client')
      assert.match(authorize.searchParams.get('state'), /^[A-Za-z0-9_-]{22,}$/)

      const { consent, callback } = await playBrowser(coze, url)
      assert.equal(callback.status, 200)
      assert.match(callback.text, /Logged in/)
      const r = await ex.done
      assert.equal(r.code, 0, r.stderr)
      const token = JSON.parse(r.stdout)
      assert.match(token.access_token, /^czs_mock_at_/)
      assert.match(token.refresh_token, /^czs_mock_rt_/)
      assert.ok(!r.stderr.includes(SECRET) && !r.stdout.includes(SECRET))

      const [exchange, ...rest] = coze.requests.filter((q) => q.path === TOKEN_PATH)
      assert.equal(rest.length, 0)
      assert.equal(exchange.headers.authorization, `Bearer ${SECRET}`)
      assert.deepEqual(JSON.parse(exchange.body), {
        grant_type: 'authorization_code',
        client_id: CLIENT_ID,
        code: consent.code,
        redirect_uri: authorize.searchParams.get('redirect_uri'),
      })
    })
  })

  test('a wrong client secret: Coze refuses, the browser and stderr say so, exit 1', async () => {
    await withMock(async (coze) => {
      coze.registerClient(CLIENT_ID, { secret: SECRET })
      const ex = start(example, args(coze), { COZE_WEB_OAUTH_CLIENT_SECRET: 'not-the-secret' })
      const [, url] = await ex.stderrMatch(AUTHORIZE_URL_LINE)
      const { callback } = await playBrowser(coze, url)
      assert.equal(callback.status, 400)
      const r = await ex.done
      assert.equal(r.code, 1)
      assert.match(r.stderr, /login failed \[oauth_error\]: .*invalid_client/)
      assert.ok(!r.stderr.includes('not-the-secret'))
    })
  })

  test('a forged state is refused before any exchange', async () => {
    await withMock(async (coze) => {
      coze.registerClient(CLIENT_ID, { secret: SECRET })
      const ex = start(example, args(coze), { COZE_WEB_OAUTH_CLIENT_SECRET: SECRET })
      const [, url] = await ex.stderrMatch(AUTHORIZE_URL_LINE)
      const tamper = (location) => {
        const u = new URL(location)
        u.searchParams.set('state', 'forged-state')
        return u.href
      }
      await playBrowser(coze, url, { tamper })
      const r = await ex.done
      assert.equal(r.code, 1)
      assert.match(r.stderr, /login failed \[invalid_state\]/)
      assert.equal(coze.requests.filter((q) => q.path === TOKEN_PATH).length, 0)
    })
  })

  test('the client secret comes only from the environment: without it, a usage error', async () => {
    const r = await run(example, ['--client-id', CLIENT_ID, '--port', '0'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /COZE_WEB_OAUTH_CLIENT_SECRET .* is required/)
  })
})
