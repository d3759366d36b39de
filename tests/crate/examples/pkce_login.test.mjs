// Runs the Rust example examples/pkce_login.rs against the mock Coze, the test playing the
// browser: it opens the authorize URL the example prints, decides on the mock's consent page and
// follows the redirect to the example's callback listener.
import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { TOKEN_PATH } from '../../../mock-coze/server.mjs'
import { AUTHORIZE_URL_LINE, buildExample, playBrowser, run, start, withMock } from './helpers.mjs'

const CLIENT_ID = 'pkce-example-client'
let example

before(() => {
  example = buildExample('pkce_login')
})

const args = (coze, ...more) => ['--client-id', CLIENT_ID, '--base-url', coze.url, '--port', '0', ...more]

describe('examples/pkce_login.rs against the mock Coze', { concurrency: true, timeout: 60_000 }, () => {
  test('prints the authorize URL, takes the callback, exchanges the code with the verifier, prints the token', async () => {
    await withMock(async (coze) => {
      const ex = start(example, args(coze))
      const [, url] = await ex.stderrMatch(AUTHORIZE_URL_LINE)
      const authorize = new URL(url)
      assert.equal(authorize.origin, coze.url, 'the consent page is on the www base (here the mock itself)')
      assert.equal(authorize.pathname, '/api/permission/oauth2/authorize')
      assert.equal(authorize.searchParams.get('client_id'), CLIENT_ID)
      assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256')
      const redirectUri = authorize.searchParams.get('redirect_uri')
      assert.match(redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/)

      // Anything but the callback path gets a 404 and the example keeps waiting.
      const favicon = await fetch(new URL('/favicon.ico', redirectUri))
      assert.equal(favicon.status, 404)
      await favicon.text()

      const { consent, callback } = await playBrowser(coze, url)
      assert.ok(consent.location.startsWith(redirectUri + '?'))
      assert.equal(callback.status, 200)
      assert.match(callback.text, /Logged in/)

      const r = await ex.done
      assert.equal(r.code, 0, r.stderr)
      const token = JSON.parse(r.stdout)
      assert.match(token.access_token, /^czs_mock_at_/)
      assert.match(token.refresh_token, /^czs_mock_rt_/)
      assert.ok(token.expires_in > Date.now() / 1000, 'expires_in is absolute Unix seconds')
      assert.equal(coze.issued.find((t) => t.access_token === token.access_token)?.client_id, CLIENT_ID)

      const exchange = coze.requests.filter((q) => q.path === TOKEN_PATH)
      assert.equal(exchange.length, 1)
      assert.equal(exchange[0].headers.authorization, undefined, 'a public client sends no Authorization')
      const body = JSON.parse(exchange[0].body)
      assert.deepEqual(Object.keys(body).sort(), ['client_id', 'code', 'code_verifier', 'grant_type', 'redirect_uri'])
      assert.equal(body.grant_type, 'authorization_code')
      assert.equal(body.code, consent.code)
      assert.equal(body.redirect_uri, redirectUri)
      assert.match(body.code_verifier, /^[A-Za-z0-9_-]{43}$/)
    })
  })

  test('a user who declines: the browser and stderr say so, exit 1, nothing exchanged', async () => {
    await withMock(async (coze) => {
      const ex = start(example, args(coze))
      const [, url] = await ex.stderrMatch(AUTHORIZE_URL_LINE)
      const { callback } = await playBrowser(coze, url, { decision: 'deny' })
      assert.equal(callback.status, 400)
      assert.match(callback.text, /Login failed/)
      const r = await ex.done
      assert.equal(r.code, 1)
      assert.equal(r.stdout, '')
      assert.match(r.stderr, /login failed \[oauth_error\]: .*access_denied/)
      assert.equal(coze.requests.filter((q) => q.path === TOKEN_PATH).length, 0)
    })
  })

  test('a callback whose state is not the one sent is refused before any exchange', async () => {
    await withMock(async (coze) => {
      const ex = start(example, args(coze))
      const [, url] = await ex.stderrMatch(AUTHORIZE_URL_LINE)
      const tamper = (location) => {
        const u = new URL(location)
        u.searchParams.set('state', 'forged-state')
        return u.href
      }
      const { callback } = await playBrowser(coze, url, { tamper })
      assert.equal(callback.status, 400)
      const r = await ex.done
      assert.equal(r.code, 1)
      assert.match(r.stderr, /login failed \[(missing_pending_flow|invalid_state)\]/)
      assert.equal(coze.requests.filter((q) => q.path === TOKEN_PATH).length, 0)
    })
  })

  test('nobody comes back: the wait ends with a timeout', async () => {
    await withMock(async (coze) => {
      const r = await run(example, args(coze, '--wait-s', '1'))
      assert.equal(r.code, 1)
      assert.match(r.stderr, /login failed \[timeout\]/)
    })
  })

  test('usage errors exit 2', async () => {
    const r = await run(example, ['--port', '0'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--client-id is required/)
  })
})
