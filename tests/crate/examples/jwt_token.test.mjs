// Runs the Rust example examples/jwt_token.rs (RsaSigner, JwtTokenSource, ReqwestTransport)
// against the mock Coze, which verifies the RS256 assertion with the fixture's public key.
import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildExample, ROOT, run, withMock } from './helpers.mjs'

const APP_ID = '1180000000001'
const KID = 'example-kid-1'
const KEY_FILE = join(ROOT, 'tests/fixtures/jwt-key-pkcs8.pem')
const PKCS1_PEM = readFileSync(join(ROOT, 'tests/fixtures/jwt-key-pkcs1.pem'), 'utf8')
const PUBLIC_PEM = readFileSync(join(ROOT, 'tests/fixtures/jwt-key-public.pem'), 'utf8')
let example

before(() => {
  example = buildExample('jwt_token')
})

const args = (coze, ...more) => ['--app-id', APP_ID, '--keyid', KID, '--base-url', coze.url, ...more]

describe('examples/jwt_token.rs against the mock Coze', { concurrency: true, timeout: 60_000 }, () => {
  test('signs an assertion the server accepts and prints the token; the second ask is served from the cache', async () => {
    await withMock(async (coze) => {
      coze.registerJwtKey(KID, PUBLIC_PEM, { appId: APP_ID })
      const r = await run(example, args(coze, '--private-key-file', KEY_FILE, '--duration-seconds', '600', '--session-name', 'user-7', '--bot-id', 'bot-1'))
      assert.equal(r.code, 0, r.stderr)
      const token = JSON.parse(r.stdout)
      assert.match(token.access_token, /^czs_mock_jwt_/)
      assert.equal(token.refresh_token, undefined, 'a JWT grant has no refresh token')
      assert.ok(Math.abs(token.expires_in - (Date.now() / 1000 + 600)) < 30, 'expires_in is absolute')

      assert.equal(coze.jwtHits, 1, 'one grant for two asks')
      const [grant] = coze.jwtRequests
      assert.equal(grant.status, 200)
      assert.equal(grant.path, '/api/permission/oauth2/token')
      assert.deepEqual(grant.header, { alg: 'RS256', typ: 'JWT', kid: KID })
      assert.equal(grant.claims.iss, APP_ID)
      assert.equal(grant.claims.aud, new URL(coze.url).host)
      assert.equal(grant.claims.session_name, 'user-7')
      assert.equal(grant.body.grant_type, 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      assert.equal(grant.body.duration_seconds, 600)
      assert.deepEqual(grant.body.scope.attribute_constraint.connector_bot_chat_attribute.bot_id_list, ['bot-1'])
    })
  })

  test('the key may come from COZE_JWT_OAUTH_PRIVATE_KEY (PKCS#1 here), and --account-id picks the account path', async () => {
    await withMock(async (coze) => {
      coze.registerJwtKey(KID, PUBLIC_PEM, { appId: APP_ID })
      const r = await run(example, args(coze, '--account-id', '42'), { COZE_JWT_OAUTH_PRIVATE_KEY: PKCS1_PEM })
      assert.equal(r.code, 0, r.stderr)
      assert.equal(coze.jwtRequests[0].path, '/api/permission/oauth2/account/42/token')
      assert.equal(coze.jwtRequests[0].account_id, '42')
    })
  })

  test('a key id Coze does not know: oauth_error with the region hint, exit 1', async () => {
    await withMock(async (coze) => {
      const r = await run(example, args(coze, '--private-key-file', KEY_FILE))
      assert.equal(r.code, 1)
      assert.match(r.stderr, /token failed \[oauth_error\]: .*kid not been registred.*region/i)
    })
  })

  test('a key that is not a PEM RSA key: invalid_key, and the key text is not echoed', async () => {
    await withMock(async (coze) => {
      const r = await run(example, args(coze), { COZE_JWT_OAUTH_PRIVATE_KEY: 'not-a-key-SECRETBYTES' })
      assert.equal(r.code, 1)
      assert.match(r.stderr, /token failed \[invalid_key\]/)
      assert.ok(!r.stderr.includes('SECRETBYTES'))
      assert.equal(coze.jwtHits, 0)
    })
  })

  test('usage errors exit 2', async () => {
    const r = await run(example, ['--keyid', KID])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--app-id is required/)
  })
})
