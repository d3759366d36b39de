// coze-auth feeding the official SDK, @coze/api (pinned in package.json), its token function:
// README's "With the official SDK (@coze/api)" code, against the mock Coze, on the packed package
// (its Node build, in this Node). Each call's `Authorization: Bearer` must be a token the mock
// issued and that has not expired (GET /v1/users/me, what `users.me()` sends). Time is moved by
// advancing Date.now for this process (the mock runs in it too, so both clocks move): a token
// past its lifetime is refused by the mock, and the next SDK call must carry a fresh one.

import { test, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CozeAPI } from '@coze/api'
import { CozeAuthError, OAuthJWTFlow, PKCEOAuthApp, createSession } from 'coze-auth'
import { startMockCoze, USERS_ME_PATH } from '../../../mock-coze/server.mjs'
import { JWT_GRANT } from '../../../mock-coze/jwt.mjs'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const fixture = (name) => readFileSync(path.join(HERE, '..', '..', 'fixtures', name), 'utf8')
const APP_ID = 'sdk-jwt-app'
const KID = 'sdk-kid'
const CLIENT_ID = 'sdk-pkce-app'
const REDIRECT_URI = 'http://127.0.0.1:1/callback'

/** @type {Awaited<ReturnType<typeof startMockCoze>>} */
let mock

before(async () => {
  mock = await startMockCoze({ port: 0 })
  mock.registerJwtKey(KID, fixture('jwt-key-public.pem'), { appId: APP_ID })
})
after(() => mock?.close())

// The fake clock: Date.now (what coze-auth and the mock read) runs `skewMs` ahead of the real one.
const realNow = Date.now
let skewMs = 0
Date.now = () => realNow.call(Date) + skewMs
const advance = (seconds) => { skewMs += seconds * 1000 }
afterEach(() => { skewMs = 0 })
after(() => { Date.now = realNow })

/** The Bearer tokens of the SDK's GET /v1/users/me calls since request `from` (the SDK's requests carry its user agent header). */
const bearers = (from) => mock.requests.slice(from).filter((r) => r.path === USERS_ME_PATH && r.headers['x-coze-client-user-agent']).map((r) => /^Bearer (.+)$/.exec(r.headers.authorization)?.[1])

/** What the mock says of `token` now: 200 (valid) or 401 (unknown or expired). */
const statusOf = async (token) => {
  const res = await fetch(mock.url + USERS_ME_PATH, { headers: { authorization: `Bearer ${token}` } })
  await res.arrayBuffer()
  return res.status
}

test('@coze/api with OAuthJWTFlow (server side): each call carries a valid JWT-grant token, a new one once the old expired', { timeout: 30_000 }, async () => {
  // README: server side.
  const flow = new OAuthJWTFlow({ baseURL: mock.url, appId: APP_ID, keyid: KID, privateKey: fixture('jwt-key-pkcs8.pem') })
  const coze = new CozeAPI({ baseURL: mock.url, token: async () => (await flow.getAccessToken()).access_token })

  const from = mock.requests.length
  const grants = () => mock.issued.filter((t) => t.grant_type === JWT_GRANT && t.client_id === APP_ID)
  const me = await coze.users.me()
  assert.equal(me.user_id, `mock-user-${APP_ID}`)
  assert.equal((await coze.users.me()).user_id, me.user_id)
  assert.equal(grants().length, 1, 'the second call reused the cached token')
  const [first] = grants()
  assert.deepEqual(bearers(from), [first.access_token, first.access_token])

  // 15 min 1 s later (the default lifetime is 15 min): Coze refuses the old token, and the SDK's
  // next call gets a new one from the flow.
  advance(901)
  assert.equal(await statusOf(first.access_token), 401)
  assert.equal((await coze.users.me()).user_id, me.user_id)
  assert.equal(grants().length, 2, 'a new JWT grant')
  const second = grants()[1]
  assert.notEqual(second.access_token, first.access_token)
  assert.deepEqual(bearers(from), [first.access_token, first.access_token, second.access_token])
  assert.equal(mock.jwtRequests.at(-1).status, 200, 'the mock verified the new assertion')
})

test('@coze/api with a PKCE session (a page, here with Node stand-ins): fresh tokens, refreshed near expiry; signed out, the call rejects with login_required', { timeout: 30_000 }, async () => {
  // README: in a page. In Node there is no sessionStorage nor location: the session keeps its
  // token in memory (the default there), the app keeps the pending login in a Map, and the
  // test plays the browser (navigate, the consent page, the callback URL).
  const pending = new Map()
  const storage = { getItem: (k) => pending.get(k) ?? null, setItem: (k, v) => void pending.set(k, v), removeItem: (k) => void pending.delete(k) }
  const app = new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: mock.url, wwwBaseURL: mock.url, storage })
  const session = createSession(app)
  const coze = new CozeAPI({ baseURL: mock.url, token: () => session.getAccessToken() })

  // The login page, then the callback page.
  let authorizeUrl
  await app.startLogin({ redirectUri: REDIRECT_URI, navigate: (url) => { authorizeUrl = url } })
  const { location } = await mock.consent(authorizeUrl)
  await session.handleCallback(location)
  const login = mock.issued.at(-1)
  assert.equal(login.grant_type, 'authorization_code')

  const from = mock.requests.length
  const me = await coze.users.me()
  assert.equal(me.user_id, `mock-user-${CLIENT_ID}`)
  assert.deepEqual(bearers(from), [login.access_token])

  // 13 min 1 s later, the token expires within the session's 2-minute margin: the next call
  // refreshes first (the refresh token rotates), and carries the new token.
  advance(781)
  assert.equal((await coze.users.me()).user_id, me.user_id)
  const refreshed = mock.issued.at(-1)
  assert.equal(refreshed.grant_type, 'refresh_token')
  assert.deepEqual(bearers(from), [login.access_token, refreshed.access_token])
  assert.equal(session.token.refresh_token, refreshed.refresh_token)

  // 15 min later that one has expired at Coze too: the session refreshes again before the call.
  advance(901)
  assert.equal(await statusOf(refreshed.access_token), 401)
  await coze.users.me()
  assert.equal(mock.issued.at(-1).grant_type, 'refresh_token')
  assert.deepEqual(bearers(from), [login.access_token, refreshed.access_token, mock.issued.at(-1).access_token])

  // Signed out: the token function rejects, and so does the SDK call, before any request.
  session.signOut()
  const before = mock.requests.length
  await assert.rejects(coze.users.me(), (e) => e instanceof CozeAuthError && e.code === 'login_required')
  assert.equal(mock.requests.length, before)
})
