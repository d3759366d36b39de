// WebOAuthApp, TokenAuth, loadOAuthApp and the browser build's stand-ins, from the BUILT package,
// against the mock Coze (web clients registered with a secret).
import { describe, test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { WebOAuthApp, TokenAuth, loadOAuthApp, PKCEOAuthApp, DeviceOAuthApp, OAuthJWTFlow, CozeAuthError } from 'coze-auth'
import { rejects } from './helpers.mjs'
import { startMockCoze, TOKEN_PATH } from '../../../mock-coze/server.mjs'
import { recordLine } from './hygiene.mjs'

const require = createRequire(import.meta.url)
const PKG = join(require.resolve('coze-auth/package.json'), '..')
const CLIENT_ID = 'web-client-1'
const SECRET = 'web-secret-0123456789'
const REDIRECT = 'https://app.example/callback'
const PKCS8 = readFileSync(new URL('../../fixtures/jwt-key-pkcs8.pem', import.meta.url), 'utf8')

let coze
before(async () => {
  coze = await startMockCoze({ port: 0 })
  coze.registerClient(CLIENT_ID, { secret: SECRET })
})
after(() => coze.close())
beforeEach(() => coze.reset())

const appOf = (extra = {}) => new WebOAuthApp({ clientId: CLIENT_ID, clientSecret: SECRET, baseURL: coze.url, wwwBaseURL: coze.url, timeoutMs: 5000, ...extra })
const tokenRequests = () => coze.requests.filter((r) => r.path === TOKEN_PATH)

describe('WebOAuthApp', () => {
  test('authorize URL, consent, callback with state check, exact exchange request, refresh', async () => {
    const app = appOf()
    const { url, state } = await app.getOAuthUrl({ redirectUri: REDIRECT })
    assert.match(state, /^[A-Za-z0-9_-]{22}$/)
    const u = new URL(url)
    assert.equal(u.origin + u.pathname, `${coze.url}/api/permission/oauth2/authorize`)
    assert.deepEqual([...u.searchParams.keys()], ['response_type', 'client_id', 'redirect_uri', 'state'])
    assert.deepEqual(Object.fromEntries(u.searchParams), { response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, state })
    const consent = await coze.consent(url, { decision: 'allow' })
    const token = await app.handleCallback(consent.location, { state, redirectUri: REDIRECT })
    assert.match(token.access_token, /^czs_/)
    assert.ok(token.refresh_token)
    const [exchange] = tokenRequests()
    assert.equal(exchange.headers.authorization, `Bearer ${SECRET}`)
    assert.equal(exchange.headers['content-type'], 'application/json')
    assert.deepEqual(JSON.parse(exchange.body), { grant_type: 'authorization_code', client_id: CLIENT_ID, code: consent.code, redirect_uri: REDIRECT })
    assert.ok(!exchange.body.includes(SECRET))

    const refreshed = await app.refreshAccessToken(token.refresh_token)
    assert.notEqual(refreshed.access_token, token.access_token)
    const refresh = tokenRequests()[1]
    assert.equal(refresh.headers.authorization, `Bearer ${SECRET}`)
    assert.deepEqual(JSON.parse(refresh.body), { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: token.refresh_token })
  })

  test('given state and workspace; getAccessToken with the code directly', async () => {
    const app = appOf()
    const { url, state } = await app.getOAuthUrl({ redirectUri: REDIRECT, state: 'my-state', workspaceId: 'ws_1' })
    assert.equal(state, 'my-state')
    assert.ok(url.startsWith(`${coze.url}/api/permission/oauth2/workspace_id/ws_1/authorize?`))
    const { code } = await coze.consent(url, { decision: 'allow' })
    const token = await app.getAccessToken({ code, redirectUri: REDIRECT })
    assert.match(token.access_token, /^czs_/)
  })

  test('a wrong or missing state is invalid_state, and nothing is sent', async () => {
    const app = appOf()
    const { url, state } = await app.getOAuthUrl({ redirectUri: REDIRECT })
    const { location } = await coze.consent(url, { decision: 'allow' })
    await rejects(app.handleCallback(location, { state: state + 'x', redirectUri: REDIRECT }), { code: 'invalid_state' })
    await rejects(app.handleCallback(`${REDIRECT}?code=abc`, { state, redirectUri: REDIRECT }), { code: 'invalid_state' })
    await rejects(app.handleCallback(location, { redirectUri: REDIRECT }), { code: 'invalid_argument' })
    assert.equal(tokenRequests().length, 0)
  })

  test('an error callback (the user denied) is oauth_error access_denied', async () => {
    const app = appOf()
    const { url, state } = await app.getOAuthUrl({ redirectUri: REDIRECT })
    const { location } = await coze.consent(url, { decision: 'deny' })
    const err = await rejects(app.handleCallback(location, { state, redirectUri: REDIRECT }), { code: 'oauth_error', errorCode: 'access_denied' })
    assert.ok(!err.message.includes(state))
    assert.equal(tokenRequests().length, 0)
  })

  test('a wrong secret is oauth_error invalid_client; no secret in the error', async () => {
    const app = appOf({ clientSecret: 'wrong-secret-999' })
    const { url } = await app.getOAuthUrl({ redirectUri: REDIRECT })
    const { code } = await coze.consent(url, { decision: 'allow' })
    const err = await rejects(app.getAccessToken({ code, redirectUri: REDIRECT }), { code: 'oauth_error', errorCode: 'invalid_client', status: 401 })
    const shown = `${err.message} ${err.errorMessage} ${inspect(err)} ${JSON.stringify(err)}`
    assert.ok(!shown.includes('wrong-secret-999') && !shown.includes(code))
    assert.ok(!inspect(app, { showHidden: true }).includes('wrong-secret') && !JSON.stringify(app).includes('wrong-secret'))
  })

  test('bad options are invalid_argument at construction', () => {
    assert.throws(() => new WebOAuthApp({ clientId: CLIENT_ID }), { code: 'invalid_argument' })
    assert.throws(() => new WebOAuthApp({ clientId: CLIENT_ID, clientSecret: '' }), { code: 'invalid_argument' })
    assert.throws(() => new WebOAuthApp({ clientId: '', clientSecret: 's' }), { code: 'invalid_argument' })
    assert.throws(() => new WebOAuthApp({ clientId: 'c', clientSecret: 's', baseURL: 'http://example.com' }), { code: 'invalid_argument' })
  })
})

describe('TokenAuth', () => {
  test('holds a bearer token (trimmed) and shows it nowhere', () => {
    const auth = new TokenAuth({ token: '  pat_abcdef123456 ' })
    assert.equal(auth.token, 'pat_abcdef123456')
    assert.equal(auth.authorizationHeader(), 'Bearer pat_abcdef123456')
    assert.equal(auth.isPersonalAccessToken, true)
    assert.equal(new TokenAuth({ token: 'sat_1' }).isPersonalAccessToken, false)
    assert.ok(!inspect(auth, { showHidden: true }).includes('abcdef') && !JSON.stringify(auth).includes('abcdef'))
  })

  test('refuses empty tokens, inner whitespace and wrong types', () => {
    for (const options of [{}, { token: '' }, { token: '   ' }, { token: 'a b' }, { token: 'a\u0000b' }, { token: 1 }, { token: 'x', allowPersonalAccessTokenInBrowser: 'yes' }, undefined]) {
      assert.throws(() => new TokenAuth(options), { code: 'invalid_argument' }, JSON.stringify(options))
    }
  })

  test('the Node build accepts a pat_ token; the browser build refuses it unless allowed', async () => {
    new TokenAuth({ token: 'pat_x' })
    const browser = await import(join(PKG, 'browser', 'index.js'))
    assert.throws(() => new browser.TokenAuth({ token: 'pat_secret_123' }), (e) => e instanceof browser.CozeAuthError && e.code === 'invalid_argument' && /allowPersonalAccessTokenInBrowser/.test(e.message) && !e.message.includes('secret_123'))
    assert.equal(new browser.TokenAuth({ token: 'pat_x', allowPersonalAccessTokenInBrowser: true }).authorizationHeader(), 'Bearer pat_x')
    assert.equal(new browser.TokenAuth({ token: 'sat_x' }).token, 'sat_x')
  })
})

describe('the browser build', () => {
  test('OAuthJWTFlow, WebOAuthApp, loadOAuthApp and botChatScope are unsupported there', async () => {
    const browser = await import(join(PKG, 'browser', 'index.js'))
    const unsupported = (e) => e instanceof browser.CozeAuthError && e.code === 'unsupported' && /not available in a browser/.test(e.message)
    assert.throws(() => new browser.OAuthJWTFlow({ appId: 'a', keyid: 'k', privateKey: PKCS8 }), unsupported)
    assert.throws(() => new browser.WebOAuthApp({ clientId: 'c', clientSecret: 's' }), unsupported)
    assert.throws(() => browser.loadOAuthApp('{}'), unsupported)
    assert.throws(() => browser.botChatScope(['1']), unsupported)
  })

  test('ships no JWT, key, web or config code', () => {
    const files = readdirSync(join(PKG, 'browser'))
    for (const f of ['jwt.js', 'web.js', 'config.js', 'seam-node.js', 'device.js']) assert.ok(!files.includes(f), f)
    const wasm = readFileSync(join(PKG, 'browser', 'coze_auth_bg.wasm')).toString('latin1')
    for (const s of ['jwt-bearer', 'RS256', 'PRIVATE KEY', 'client_secret', 'client_type']) assert.ok(!wasm.includes(s), `${s} in the browser wasm`)
    const node = readFileSync(join(PKG, 'node', 'coze_auth_bg.wasm')).toString('latin1')
    for (const s of ['jwt-bearer', 'RS256', 'PRIVATE KEY']) assert.ok(node.includes(s), `${s} missing from the Node wasm`)
  })
})

describe('loadOAuthApp', () => {
  test('each client_type gives its class, from JSON text or an object', async () => {
    const base = { coze_api_base: coze.url, coze_www_base: coze.url }
    assert.ok(loadOAuthApp(JSON.stringify({ client_type: 'pkce', client_id: 'p', ...base })) instanceof PKCEOAuthApp)
    assert.ok(loadOAuthApp({ client_type: 'device', client_id: 'd', ...base }) instanceof DeviceOAuthApp)
    const web = loadOAuthApp({ client_type: 'web', client_id: CLIENT_ID, client_secret: SECRET, ...base }, { timeoutMs: 5000 })
    assert.ok(web instanceof WebOAuthApp)
    const { url } = await web.getOAuthUrl({ redirectUri: REDIRECT })
    const { code } = await coze.consent(url, { decision: 'allow' })
    assert.match((await web.getAccessToken({ code, redirectUri: REDIRECT })).access_token, /^czs_/)

    coze.registerJwtKey('cfg-kid', readFileSync(new URL('../../fixtures/jwt-key-public.pem', import.meta.url), 'utf8'), { appId: 'cfg-app' })
    const lines = []
    const jwt = loadOAuthApp({ client_type: 'jwt', client_id: 'cfg-app', private_key: PKCS8.replace(/\n/g, '\\n'), public_key_id: 'cfg-kid', coze_api_base: coze.url }, { logger: (l) => { recordLine(l); lines.push(l) } })
    assert.ok(jwt instanceof OAuthJWTFlow)
    assert.match((await jwt.getAccessToken()).access_token, /^czs_mock_jwt_/)
    assert.equal(coze.jwtRequests[0].claims.iss, 'cfg-app')
    assert.equal(lines.length, 1)
  })

  test('a bad config is invalid_argument (or invalid_key) and quotes no value', () => {
    const cases = [
      ['not json', 'invalid_argument'],
      [[], 'invalid_argument'],
      [{ client_id: 'x' }, 'invalid_argument'],
      [{ client_type: 'magic', client_id: 'x' }, 'invalid_argument'],
      [{ client_type: 'web', client_id: 'x' }, 'invalid_argument'],
      [{ client_type: 'pkce', client_id: 'x', client_secret: 'leaky-secret-1' }, 'invalid_argument'],
      [{ client_type: 'jwt', client_id: 'x', public_key_id: 'k', private_key: 'leaky-key-material-2' }, 'invalid_key'],
      [{ client_type: 'jwt', client_id: 'x', private_key: PKCS8 }, 'invalid_argument'],
    ]
    for (const [config, code] of cases) {
      assert.throws(() => loadOAuthApp(config), (e) => e instanceof CozeAuthError && e.code === code && !/leaky|MII/.test(e.message), JSON.stringify(config))
    }
  })
})
