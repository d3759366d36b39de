// Sessions (createSession) in a real Chromium, against the mock Coze, whose refresh tokens rotate
// (a refresh token used once more is `invalid_grant`).
//
//   node --test --test-concurrency=1 tests/package/browser/
//
// Each scenario runs in a fresh browser context (its own storage) on a bare test page that loads
// the built package (pkg/browser/). The app's `fetch` holds each
// request back 300 ms, so that the tabs' calls really overlap a refresh in flight.

import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchChromium } from './chromium.mjs'
import { startDemo } from '../../../scripts/demo.mjs'
import { seenSecrets } from '../../../mock-coze/server.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const PKG_ENTRY = path.join(ROOT, 'pkg', 'browser', 'index.js')
const TOKEN_PATH = '/api/permission/oauth2/token'
const CLIENT_ID = 'demo-client'
const KEY = `coze-auth:session:${CLIENT_ID}`
const TEST_PAGE = '/session-test.html'
const TOKEN_DELAY_MS = 300
const TEST_TIMEOUT = 30_000
const LOGIN_REQUIRED = { error: 'login_required', name: 'CozeAuthError', isCozeAuthError: true, cause: null }

/** @type {import('playwright-core').Browser} */
let browser
/** @type {Awaited<ReturnType<typeof startDemo>>} */
let demo

/** The test page's origin: a bare page that loads the package, and the package's browser build. */
let site
/** @type {http.Server} */
let server

// The test page is served over the network like the demo (a page Playwright fulfils itself has no
// address, and Chromium then refuses its requests to the loopback mock).
const PAGE = `<!doctype html><title>session test</title><link rel="icon" href="data:,"><script type="module">
  window.lib = await import('/pkg/browser/index.js')
  document.documentElement.dataset.ready = '1'
</script>`

before(async () => {
  if (!existsSync(PKG_ENTRY)) throw new Error(`${path.relative(ROOT, PKG_ENTRY)} is missing: build the package first (npm run build)`)
  demo = await startDemo({ port: 0, mockPort: 0, env: {} })
  server = http.createServer(async (req, res) => {
    const name = req.url.startsWith('/pkg/browser/') && path.basename(req.url)
    const file = name && /^[\w.-]+$/.test(name) ? path.join(ROOT, 'pkg', 'browser', name) : null
    const type = { '.js': 'text/javascript', '.wasm': 'application/wasm' }[file && path.extname(file)]
    if (req.url === TEST_PAGE) res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE)
    else if (type && existsSync(file)) res.writeHead(200, { 'content-type': type }).end(await readFile(file))
    else res.writeHead(404).end()
  })
  await new Promise((resolve) => server.listen(0, 'localhost', resolve))
  site = `http://localhost:${server.address().port}`
  browser = await launchChromium()
}, { timeout: 30_000 })

after(async () => {
  await browser?.close().catch(() => {})
  await new Promise((resolve) => server?.close(resolve) ?? resolve())
  await demo?.close()
}, { timeout: 15_000 })

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A fresh context whose pages can open the test page; `noLocks` removes Web Locks before any
 * script runs, so the sessions fall back to their lock record. Closes the context afterwards.
 */
async function withContext ({ noLocks = false } = {}, fn) {
  const context = await browser.newContext()
  context.setDefaultTimeout(10_000)
  const log = []
  context.on('page', (page) => {
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`))
    // The browser's own line for an HTTP error answer is expected where the mock fails on purpose.
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded')) log.push(`[console.error] ${m.text()}`) })
  })
  if (noLocks) await context.addInitScript(() => { delete Object.getPrototypeOf(navigator).locks })
  try {
    await fn(context)
    assert.deepEqual(log, [], 'no page errors')
  } catch (err) {
    if (log.length && err instanceof Error) err.message += `\nbrowser log:\n  ${log.join('\n  ')}`
    throw err
  } finally {
    await context.close().catch(() => {})
  }
}

/** Opens the test page and makes `window.session` over `storage`, recording every change. */
async function openSession (context, storage, page) {
  page ??= await context.newPage()
  await page.goto(site + TEST_PAGE)
  await page.locator('html[data-ready="1"]').waitFor({ state: 'attached' })
  await page.evaluate(({ storage, baseURL, delay }) => {
    // Each request is held back a moment, so that calls from both tabs overlap a refresh in flight.
    const fetch = (url, init) => new Promise((resolve) => setTimeout(resolve, delay)).then(() => globalThis.fetch(url, init))
    window.app = new window.lib.PKCEOAuthApp({ clientId: 'demo-client', baseURL, wwwBaseURL: baseURL, fetch })
    window.session = window.lib.createSession(window.app, { storage })
    window.changes = []
    window.session.onChange((t) => window.changes.push(t && t.access_token))
    // Every error a call rejects with, as the page would render it: none may hold a secret.
    window.seen = []
    window.call = (p) => p.then((v) => v, (e) => {
      window.seen.push([e.message, String(e), JSON.stringify(e), e.cause ? String(e.cause.message) : ''].join(' | '))
      return { error: e.code, name: e.name, isCozeAuthError: e instanceof window.lib.CozeAuthError, cause: e.cause?.errorCode ?? null }
    })
  }, { storage, baseURL: demo.mockUrl, delay: TOKEN_DELAY_MS })
  return page
}

/** Signs in through the session: startLogin (navigation captured), the mock's consent, handleCallback. */
async function signIn (page) {
  const authorizeUrl = await page.evaluate(async (redirectUri) => {
    let url
    await window.app.startLogin({ redirectUri, navigate: (u) => { url = u } })
    return url
  }, `${demo.url}/callback.html`)
  const { location } = await demo.mock.consent(authorizeUrl, { decision: 'allow' })
  const accessToken = await page.evaluate((url) => window.session.handleCallback(url).then((t) => t.access_token), location)
  const issued = demo.mock.issued.at(-1)
  assert.equal(accessToken, issued.access_token)
  return issued
}

/** Moves the stored token's expiry to `seconds` from now (inside the default 2-minute margin). */
function expireIn (page, seconds, storage = 'localStorage') {
  return page.evaluate(({ key, seconds, storage }) => {
    const t = JSON.parse(window[storage].getItem(key))
    t.expires_in = Math.floor(Date.now() / 1000) + seconds
    window[storage].setItem(key, JSON.stringify(t))
  }, { key: KEY, seconds, storage })
}

const refreshesSince = (from) => demo.mock.requests.slice(from)
  .filter((r) => r.method === 'POST' && r.path === TOKEN_PATH && JSON.parse(r.body).grant_type === 'refresh_token')

/** The errors the pages saw hold no token, code or verifier the mock issued or received. */
async function assertNoSecrets (pages) {
  const secrets = seenSecrets()
  assert.ok(secrets.length > 0)
  for (const page of pages) {
    for (const text of await page.evaluate(() => window.seen)) {
      for (const s of secrets) assert.ok(!text.includes(s), `an error holds a secret: ${text.replace(s, '[the secret]')}`)
    }
  }
}

/** Both tabs call getAccessToken() five times, all at the same moment. */
async function fiveCallsEach (pages) {
  const at = Date.now() + 300
  const results = await Promise.all(pages.map((page) => page.evaluate(async (at) => {
    await new Promise((resolve) => setTimeout(resolve, at - Date.now()))
    return Promise.all(Array.from({ length: 5 }, () => window.call(window.session.getAccessToken())))
  }, at)))
  return results.flat()
}

// -------------------------------------------------------------------- tests

describe('sessions in Chromium against mock Coze (rotating refresh tokens)', () => {
  for (const noLocks of [false, true]) {
    const how = noLocks ? 'without Web Locks (lock record in localStorage)' : 'with Web Locks'
    test(`two tabs, five getAccessToken() each on a token inside the margin: one refresh, one token, ${how}`, { timeout: TEST_TIMEOUT }, () => withContext({ noLocks }, async (context) => {
      const one = await openSession(context, 'local')
      assert.equal(await one.evaluate(() => 'locks' in navigator), !noLocks)
      const issued = await signIn(one)
      const two = await openSession(context, 'local')
      assert.equal(await two.evaluate(() => window.session.token?.access_token), issued.access_token, 'the second tab shares the stored session')

      // Fresh: no request at all.
      let from = demo.mock.requests.length
      assert.deepEqual(new Set(await fiveCallsEach([one, two])), new Set([issued.access_token]))
      assert.equal(refreshesSince(from).length, 0)

      // Inside the margin: exactly one refresh, with the stored refresh token, for all ten calls.
      await expireIn(one, 60)
      from = demo.mock.requests.length
      const results = await fiveCallsEach([one, two])
      const refreshes = refreshesSince(from)
      assert.equal(refreshes.length, 1, 'exactly one refresh request')
      assert.equal(JSON.parse(refreshes[0].body).refresh_token, issued.refresh_token)
      const next = demo.mock.issued.at(-1)
      assert.notEqual(next.access_token, issued.access_token)
      assert.deepEqual(results, Array(10).fill(next.access_token), 'all ten calls get the new token')
      for (const page of [one, two]) {
        // Every tab holds and was told of the new token, with the rotated refresh token.
        await page.waitForFunction((t) => window.changes.includes(t), next.access_token)
        const held = await page.evaluate(() => window.session.token)
        assert.equal(held.access_token, next.access_token)
        assert.equal(held.refresh_token, next.refresh_token)
        assert.equal(held.expires_in, next.expires_in)
      }
      assert.equal(await one.evaluate(() => localStorage.getItem('coze-auth:session:demo-client:lock')), null, 'no lock record left')

      // The rotated refresh token works: a second round refreshes once more.
      await expireIn(two, 10)
      from = demo.mock.requests.length
      const again = await fiveCallsEach([two, one])
      assert.equal(refreshesSince(from).length, 1)
      assert.deepEqual(again, Array(10).fill(demo.mock.issued.at(-1).access_token))
      await assertNoSecrets([one, two])
    }))
  }

  for (const [storage, kept] of [['local', true], ['session', true], ['memory', false]]) {
    test(`a reload ${kept ? 'keeps' : 'loses'} the session with '${storage}' storage`, { timeout: TEST_TIMEOUT }, () => withContext({}, async (context) => {
      const page = await openSession(context, storage)
      const issued = await signIn(page)
      await page.reload()
      await openSession(context, storage, page)
      const from = demo.mock.requests.length
      if (kept) {
        assert.equal(await page.evaluate(() => window.session.token?.access_token), issued.access_token)
        assert.equal(await page.evaluate(() => window.session.getAccessToken()), issued.access_token)
      } else {
        assert.equal(await page.evaluate(() => window.session.token), null)
        const result = await page.evaluate(() => window.call(window.session.getAccessToken()))
        assert.deepEqual(result, LOGIN_REQUIRED)
      }
      assert.equal(demo.mock.requests.length, from, 'no request')
      // Where each kind keeps it: sessionStorage is per tab, so a second tab does not see it.
      const stored = await page.evaluate((key) => [localStorage.getItem(key) !== null, sessionStorage.getItem(key) !== null], KEY)
      assert.deepEqual(stored, [storage === 'local', storage === 'session'])
      if (storage === 'session') {
        const other = await openSession(context, storage)
        assert.equal(await other.evaluate(() => window.session.token), null, "'session' storage is per tab")
      }
      await assertNoSecrets([page])
    }))
  }

  test('signOut() in one tab reaches the other tab\'s listener and ends its session', { timeout: TEST_TIMEOUT }, () => withContext({}, async (context) => {
    const one = await openSession(context, 'local')
    const issued = await signIn(one)
    const two = await openSession(context, 'local')
    assert.equal(await two.evaluate(() => window.session.token?.access_token), issued.access_token)
    await one.evaluate(() => window.session.signOut())
    await two.waitForFunction(() => window.changes.at(-1) === null)
    assert.equal(await one.evaluate(() => window.changes.at(-1)), null, 'the tab that signed out was told too')
    const from = demo.mock.requests.length
    for (const page of [one, two]) {
      assert.equal(await page.evaluate(() => window.session.token), null)
      assert.deepEqual(await page.evaluate(() => window.call(window.session.getAccessToken())), LOGIN_REQUIRED)
    }
    assert.equal(demo.mock.requests.length, from, 'no request')
    assert.equal(await one.evaluate((key) => localStorage.getItem(key), KEY), null)
    await assertNoSecrets([one, two])
  }))

  test('a failed refresh is reported, not retried: server down (session kept), then the refresh token refused (session ended)', { timeout: TEST_TIMEOUT }, () => withContext({}, async (context) => {
    const one = await openSession(context, 'local')
    const issued = await signIn(one)
    const two = await openSession(context, 'local')
    await expireIn(one, 60)

    // Down: its gateway answers 502, to every request. One request, the error reported, the
    // session kept. (Not a connection reset: Chromium itself sends a POST again when a reused
    // connection is reset before any answer.)
    demo.mock.setFault('html_502', { times: Infinity })
    let from = demo.mock.requests.length
    try {
      const result = await one.evaluate(() => window.call(window.session.getAccessToken()))
      assert.deepEqual(result, { error: 'http_error', name: 'CozeAuthError', isCozeAuthError: true, cause: null })
      await sleep(1500)
      const sent = demo.mock.requests.slice(from).filter((r) => r.method === 'POST')
      assert.equal(sent.length, 1, `one request, no retry: ${JSON.stringify(sent.map((r) => [r.method, r.path, r.fault]))}`)
    } finally {
      demo.mock.clearFaults()
    }
    assert.equal(await one.evaluate(() => window.session.token?.refresh_token), issued.refresh_token, 'the session is kept')

    // Refused: Coze no longer knows the refresh token (as if it had been used elsewhere).
    demo.mock.refreshTokens.get(issued.refresh_token).active = false
    from = demo.mock.requests.length
    assert.deepEqual(await one.evaluate(() => window.call(window.session.getAccessToken())), { ...LOGIN_REQUIRED, cause: 'invalid_grant' }, "login_required, caused by Coze's invalid_grant")
    assert.equal(refreshesSince(from).length, 1)
    for (const page of [one, two]) {
      await page.waitForFunction(() => window.changes.at(-1) === null)
      assert.equal(await page.evaluate(() => window.session.token), null, 'the session is forgotten in every tab')
    }
    assert.deepEqual(await one.evaluate(() => window.call(window.session.getAccessToken())), LOGIN_REQUIRED, 'no session: nothing is sent')
    await sleep(1000)
    assert.equal(demo.mock.requests.slice(from).filter((r) => r.method === 'POST').length, 1, 'nothing retried')
    assert.equal(await one.evaluate((key) => localStorage.getItem(key), KEY), null)
    await assertNoSecrets([one, two])
  }))
})
