// Sessions (createSession) in Node, the "any JS host" case: no Web Storage, no Web Locks. Two
// sessions over one storage object stand for two tabs sharing a custom storage: they refresh
// once between them (the lock record in the storage) and hear of each other's changes (a
// BroadcastChannel, which Node has). Against the mock Coze, whose refresh tokens rotate.
//   bash scripts/pack-install.sh && node --import ./tests/package/node/hygiene.mjs --test tests/package/node/session.test.mjs
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PKCEOAuthApp, createSession } from 'coze-auth'
import { startMockCoze } from '../../../mock-coze/server.mjs'
import { rejects } from './helpers.mjs'

const CLIENT_ID = 'session-client'
const KEY = `coze-auth:session:${CLIENT_ID}`
const REDIRECT = 'http://127.0.0.1:3000/callback'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const t = (name, fn) => test(name, { timeout: 15_000 }, fn)

/** A storage object over a Map: the one two sessions share, like localStorage between tabs. */
function mapStorage() {
  const map = new Map()
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, String(v)), removeItem: (k) => void map.delete(k) }
}

async function withMock(fn) {
  const coze = await startMockCoze({ port: 0 })
  try {
    return await fn(coze)
  } finally {
    await coze.close()
  }
}

/** An app whose requests wait `delay` ms first, so that calls overlap a refresh in flight. */
function newApp(coze, delay = 100) {
  const fetch = (url, init) => sleep(delay).then(() => globalThis.fetch(url, init))
  return new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: coze.url, wwwBaseURL: coze.url, timeoutMs: 3000, fetch })
}

/** Signs `session` in: startLogin into `pending`, the mock's consent, session.handleCallback. */
async function signIn(coze, app, session) {
  const pending = mapStorage()
  let url
  await app.startLogin({ redirectUri: REDIRECT, storage: pending, navigate: (u) => (url = u) })
  const { location } = await coze.consent(url)
  const token = await session.handleCallback(location, { storage: pending })
  assert.equal(token.access_token, coze.issued.at(-1).access_token)
  return coze.issued.at(-1)
}

function expireIn(storage, seconds) {
  const token = JSON.parse(storage.getItem(KEY))
  token.expires_in = Math.floor(Date.now() / 1000) + seconds
  storage.setItem(KEY, JSON.stringify(token))
}

const refreshes = (coze, from) => coze.requests.slice(from).filter((r) => r.method === 'POST' && JSON.parse(r.body).grant_type === 'refresh_token')

t('options are checked; Node has no sessionStorage, so the default is memory', async () => {
  const app = new PKCEOAuthApp({ clientId: CLIENT_ID })
  for (const options of [{ storage: 'bogus' }, { storage: 'local' }, { storage: 'session' }, { storage: { getItem() {} } }, { refreshMarginSeconds: -1 }, { refreshMarginSeconds: '60' }, 'x']) {
    assert.throws(() => createSession(app, options), { code: 'invalid_argument' }, JSON.stringify(options))
  }
  const session = createSession(app)
  assert.equal(session.token, null)
  await rejects(session.getAccessToken(), { code: 'login_required' })
  assert.throws(() => session.onChange('x'), { code: 'invalid_argument' })
})

t('two sessions sharing a storage: ten calls at once refresh once; changes and sign-out reach the other', () => withMock(async (coze) => {
  const storage = mapStorage()
  const appA = newApp(coze)
  const a = createSession(appA, { storage })
  const b = createSession(newApp(coze), { storage })
  const seenByB = []
  const unsubscribe = b.onChange((token) => seenByB.push(token && token.access_token))
  const issued = await signIn(coze, appA, a)
  await sleep(50) // the BroadcastChannel message
  assert.deepEqual(seenByB, [issued.access_token])
  assert.equal(b.token.access_token, issued.access_token)

  expireIn(storage, 30)
  const from = coze.requests.length
  const results = await Promise.all([a, b, a, b, a, b, a, b, a, b].map((s) => s.getAccessToken()))
  const sent = refreshes(coze, from)
  assert.equal(sent.length, 1, 'one refresh')
  assert.equal(JSON.parse(sent[0].body).refresh_token, issued.refresh_token)
  const next = coze.issued.at(-1)
  assert.deepEqual(results, Array(10).fill(next.access_token))
  assert.equal(a.token.refresh_token, next.refresh_token, 'the rotated refresh token is stored')
  assert.equal(storage.map.has(`${KEY}:lock`), false, 'no lock record left')
  await sleep(50)
  assert.equal(seenByB.at(-1), next.access_token)

  a.signOut()
  assert.equal(a.token, null)
  await sleep(50)
  assert.equal(seenByB.at(-1), null)
  await rejects(b.getAccessToken(), { code: 'login_required' })
  unsubscribe()
  await signIn(coze, appA, a)
  await sleep(50)
  assert.equal(seenByB.at(-1), null, 'unsubscribed')
}))

t('an aborted caller stops waiting; the refresh goes on and is stored for the others', () => withMock(async (coze) => {
  const storage = mapStorage()
  const app = newApp(coze, 300)
  const session = createSession(app, { storage })
  await signIn(coze, app, session)
  expireIn(storage, 30)
  const controller = new AbortController()
  const waiting = session.getAccessToken({ signal: controller.signal })
  const other = session.getAccessToken()
  controller.abort()
  await rejects(waiting, { code: 'aborted' })
  assert.equal(await other, coze.issued.at(-1).access_token)
  assert.equal(session.token.refresh_token, coze.issued.at(-1).refresh_token)
}))

t('a failed refresh: 5xx keeps the session, an OAuth error ends it, neither is retried', () => withMock(async (coze) => {
  const storage = mapStorage()
  const app = newApp(coze, 0)
  const session = createSession(app, { storage, refreshMarginSeconds: 60 })
  const changes = []
  session.onChange((token) => changes.push(token))
  const issued = await signIn(coze, app, session)
  expireIn(storage, 59)

  coze.setFault('html_502', { times: Infinity })
  let from = coze.requests.length
  await rejects(session.getAccessToken(), { code: 'http_error', status: 502 })
  await sleep(300)
  assert.equal(coze.requests.length - from, 1, 'one request')
  assert.equal(session.token.refresh_token, issued.refresh_token, 'kept')
  coze.clearFaults()

  coze.refreshTokens.get(issued.refresh_token).active = false // refused from now on
  from = coze.requests.length
  const err = await rejects(session.getAccessToken(), { code: 'login_required' })
  assert.equal(err.cause.code, 'oauth_error')
  assert.equal(err.cause.errorCode, 'invalid_grant')
  assert.equal(session.token, null)
  assert.equal(changes.at(-1), null)
  assert.equal(storage.getItem(KEY), null)
  await rejects(session.getAccessToken(), { code: 'login_required' })
  assert.equal(coze.requests.length - from, 1, 'one request')
}))

t('a sign-out while a refresh is out wins: the answer is dropped', () => withMock(async (coze) => {
  const storage = mapStorage()
  const app = newApp(coze, 200)
  const session = createSession(app, { storage })
  await signIn(coze, app, session)
  expireIn(storage, 30)
  const pending = session.getAccessToken()
  await sleep(50)
  session.signOut()
  await rejects(pending, { code: 'login_required' })
  assert.equal(session.token, null)
  assert.equal(storage.getItem(KEY), null, 'the refreshed token was not stored')
}))

t('memory storage: a token within the margin and no refresh token is used until it expires', async () => {
  const session = createSession(new PKCEOAuthApp({ clientId: CLIENT_ID }), { storage: 'memory' })
  assert.equal(session.token, null)
  const storage = mapStorage()
  const custom = createSession(new PKCEOAuthApp({ clientId: CLIENT_ID }), { storage })
  const now = Math.floor(Date.now() / 1000)
  storage.setItem(KEY, JSON.stringify({ access_token: 'czs_no_refresh_token_test', expires_in: now + 30 }))
  assert.equal(await custom.getAccessToken(), 'czs_no_refresh_token_test')
  storage.setItem(KEY, JSON.stringify({ access_token: 'czs_no_refresh_token_test', expires_in: now - 1 }))
  await rejects(custom.getAccessToken(), { code: 'login_required' })
  assert.equal(custom.token, null)
  storage.setItem(KEY, '{not json')
  assert.equal(custom.token, null, 'what is not a token reads as none')
})

t('a sign-out while a refresh waits for the lock ends the session', () => withMock(async (coze) => {
  const storage = mapStorage()
  const session = createSession(newApp(coze), { storage })
  const now = Math.floor(Date.now() / 1000)
  storage.setItem(KEY, JSON.stringify({ access_token: 'czs_no_refresh_token_test', expires_in: now + 30 }))
  const first = session.getAccessToken()
  session.signOut() // before the lock record is settled
  await rejects(first, { code: 'login_required' })
}))
