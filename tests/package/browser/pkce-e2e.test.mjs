// End-to-end test of the PKCE demo (www/) in a real Chromium, against the mock Coze server.
//
//   node --test tests/package/browser/
//
// Needs the built package (pkg/browser/, `npm run build`) and Chromium at /usr/bin/chromium
// (override with CHROMIUM_PATH). On failure, screenshots of every open tab go to target/screenshots/.

import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchChromium } from './chromium.mjs'
import { startDemo } from '../../../scripts/demo.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots')
const PKG_ENTRY = path.join(ROOT, 'pkg', 'browser', 'index.js')
const TOKEN_PATH = '/api/permission/oauth2/token'
const AUTHORIZE_PATH = '/api/permission/oauth2/authorize'
const CLIENT_ID = 'demo-client'
/** Where the demo's session keeps the token (sessionStorage), and how early it refreshes it. */
const SESSION_KEY = `coze-auth:session:${CLIENT_ID}`
const REFRESH_MARGIN_SECONDS = 120
const TEST_TIMEOUT = 20_000
const STEP_TIMEOUT = 8_000

/** @type {import('playwright-core').Browser} */
let browser
/** @type {Awaited<ReturnType<typeof startDemo>>} */
let demo

before(async () => {
  if (!existsSync(PKG_ENTRY)) {
    throw new Error(`${path.relative(ROOT, PKG_ENTRY)} is missing: build the package first (npm run build)`)
  }
  demo = await startDemo({ port: 0, mockPort: 0, env: {} }) // empty env = mock mode
  browser = await launchChromium()
}, { timeout: 30_000 })

after(async () => {
  await browser?.close().catch(() => {})
  await demo?.close()
}, { timeout: 15_000 })

// ------------------------------------------------------------------ helpers

/**
 * Runs `fn` in a fresh browser context. On failure: screenshots of every tab in
 * target/screenshots/, and the pages' console errors appended to the error message.
 */
async function scenario (name, fn) {
  const context = await browser.newContext()
  context.setDefaultTimeout(STEP_TIMEOUT)
  const log = []
  context.on('page', (page) => {
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') log.push(`[console.${m.type()}] ${m.text()}`) })
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`))
    page.on('requestfailed', (r) => log.push(`[requestfailed] ${r.method()} ${r.url()}: ${r.failure()?.errorText}`))
  })
  try {
    await fn(context)
  } catch (err) {
    await mkdir(SCREENSHOTS, { recursive: true })
    const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()
    const shots = []
    for (const [i, page] of context.pages().entries()) {
      const file = path.join(SCREENSHOTS, `${slug}-tab${i + 1}.png`)
      if (await page.screenshot({ path: file, fullPage: true }).then(() => true, () => false)) shots.push(file)
    }
    const notes = []
    if (shots.length) notes.push(`screenshots: ${shots.map((f) => path.relative(ROOT, f)).join(', ')}`)
    if (log.length) notes.push(`browser log:\n  ${log.join('\n  ')}`)
    if (notes.length && err instanceof Error) err.message += `\n${notes.join('\n')}`
    throw err
  } finally {
    await context.close().catch(() => {})
  }
}

/** Requests the mock received since `from` (an index into mock.requests). */
function requestsSince (from, method, pathname) {
  return demo.mock.requests.slice(from).filter((r) => r.method === method && r.path === pathname)
}

function noAuthorizationHeader (request) {
  const names = Object.keys(request.headers).filter((h) => h.toLowerCase() === 'authorization')
  assert.deepEqual(names, [], `the token request must carry no Authorization header, got ${JSON.stringify(request.headers.authorization)}`)
}

const s256 = (verifier) => createHash('sha256').update(verifier, 'ascii').digest('base64url')

/** Opens the login page, clicks #login and waits for the mock's consent page. */
async function goToConsent (page) {
  await page.goto(`${demo.url}/`)
  await page.locator('#login:enabled').waitFor()
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(demo.mockUrl + AUTHORIZE_PATH)),
    page.click('#login')
  ])
  await page.locator('#authorize').waitFor()
}

/**
 * Clicks #authorize or #deny on the consent page and waits until the callback page has finished.
 * Returns the callback URL as the browser first loaded it (with code/state or error/state).
 */
async function decide (page, decision) {
  const seen = []
  const onRequest = (r) => {
    if (r.isNavigationRequest() && r.url().startsWith(`${demo.url}/callback.html?`)) seen.push(r.url())
  }
  page.on('request', onRequest)
  try {
    await page.click(decision === 'allow' ? '#authorize' : '#deny')
    await page.waitForURL((u) => u.href.startsWith(`${demo.url}/callback.html`))
    await settled(page)
  } finally {
    page.off('request', onRequest)
  }
  assert.equal(seen.length, 1, `expected one navigation to the callback page, saw ${JSON.stringify(seen)}`)
  return seen[0]
}

/** Waits until the callback page is done (token shown) or failed (error shown). */
async function settled (page) {
  await page.waitForFunction(() => ['done', 'error', 'idle', 'declined'].includes(document.body.dataset.status))
  return page.evaluate(() => document.body.dataset.status)
}

async function shownToken (page) {
  await page.locator('#token[data-access-token]').waitFor()
  return page.getAttribute('#token', 'data-access-token')
}

async function errorText (page) {
  await page.locator('#error').waitFor()
  return (await page.textContent('#error')).trim()
}

/** How the demo shows a token: its kind prefix and its last 6 characters. */
const masked = (token) => `${/^[a-z]+_/.exec(token)?.[0] ?? ''}…${token.slice(-6)}`

const sessionStorageDump = (page) => page.evaluate(() => Object.fromEntries(Object.entries(sessionStorage)))
/** The pending logins left in sessionStorage (the session's own key aside). */
const pendingLogins = async (page) => Object.keys(await sessionStorageDump(page)).filter((k) => k !== SESSION_KEY)

/** Moves the expiry of the token the demo's session keeps to `seconds` from now. */
const expireIn = (page, seconds) => page.evaluate(({ key, seconds }) => {
  const token = JSON.parse(sessionStorage.getItem(key))
  token.expires_in = Math.floor(Date.now() / 1000) + seconds
  sessionStorage.setItem(key, JSON.stringify(token))
}, { key: SESSION_KEY, seconds })

/** Waits until the page shows an access token other than `old` (or an error). */
const nextToken = async (page, old) => {
  await page.waitForFunction((old) => {
    const t = document.querySelector('#token')?.dataset.accessToken
    return (t && t !== old) || document.body.dataset.status === 'error'
  }, old)
  assert.equal(await page.locator('#error').isHidden(), true, 'no error')
  return page.getAttribute('#token', 'data-access-token')
}

// -------------------------------------------------------------------- tests

describe('PKCE demo in Chromium against mock Coze', () => {
  test('demo server serves the page, the package and config with the right types', { timeout: TEST_TIMEOUT }, async () => {
    const types = {
      '/': 'text/html',
      '/callback.html': 'text/html',
      '/app.js': 'text/javascript',
      '/pkg/browser/index.js': 'text/javascript',
      '/pkg/browser/coze_auth_bg.wasm': 'application/wasm',
      '/config.json': 'application/json'
    }
    for (const [p, type] of Object.entries(types)) {
      const res = await fetch(demo.url + p)
      assert.equal(res.status, 200, p)
      assert.equal(res.headers.get('content-type').split(';')[0], type, p)
      await res.arrayBuffer()
    }
    const config = await (await fetch(`${demo.url}/config.json`)).json()
    assert.deepEqual(config, { mode: 'mock', clientId: CLIENT_ID, baseURL: demo.mockUrl, wwwBaseURL: demo.mockUrl, redirectUri: null })
    assert.equal((await fetch(`${demo.url}/../package.json`)).status, 404)
  })

  test('login → consent → token on the callback page, then refresh', { timeout: TEST_TIMEOUT }, () => scenario('login-and-refresh', async (context) => {
    const page = await context.newPage()
    const from = demo.mock.requests.length

    await goToConsent(page)
    const callbackUrl = await decide(page, 'allow')
    const token = await shownToken(page)

    // The token shown is the one the mock issued, from exactly one token request.
    const issued = demo.mock.issued.at(-1)
    assert.equal(token, issued.access_token)
    assert.equal(issued.grant_type, 'authorization_code')
    assert.equal(issued.client_id, CLIENT_ID)

    const authorizes = requestsSince(from, 'GET', AUTHORIZE_PATH)
    assert.equal(authorizes.length, 1)
    const q = authorizes[0].query
    assert.equal(q.response_type, 'code')
    assert.equal(q.client_id, CLIENT_ID)
    assert.equal(q.redirect_uri, `${demo.url}/callback.html`)
    assert.equal(q.code_challenge_method, 'S256')

    const cb = new URL(callbackUrl).searchParams
    assert.equal(cb.get('state'), q.state, 'callback state = authorize state')

    const tokenRequests = requestsSince(from, 'POST', TOKEN_PATH)
    assert.equal(tokenRequests.length, 1, 'exactly one token request')
    const [exchange] = tokenRequests
    noAuthorizationHeader(exchange)
    assert.match(exchange.headers['content-type'], /^application\/json\b/)
    const body = JSON.parse(exchange.body)
    assert.deepEqual(Object.keys(body).sort(), ['client_id', 'code', 'code_verifier', 'grant_type', 'redirect_uri'])
    assert.equal(body.grant_type, 'authorization_code')
    assert.equal(body.client_id, CLIENT_ID)
    assert.equal(body.code, cb.get('code'))
    assert.equal(body.redirect_uri, `${demo.url}/callback.html`)
    assert.match(body.code_verifier, /^[A-Za-z0-9_-]{43}$/, 'verifier: 43 base64url chars')
    assert.equal(s256(body.code_verifier), q.code_challenge, 'S256(verifier) = challenge')

    // The pending flow is gone, the session holds the token, and the address bar no longer shows code/state.
    assert.deepEqual(await pendingLogins(page), [], 'sessionStorage must hold no pending flow after the callback')
    const kept = JSON.parse((await sessionStorageDump(page))[SESSION_KEY])
    assert.equal(kept.access_token, issued.access_token)
    assert.equal(kept.refresh_token, issued.refresh_token)
    assert.equal(page.url(), `${demo.url}/callback.html`)
    assert.doesNotMatch(page.url(), /code=|state=/)

    // Display: masked tokens, expiry as a date, and when the next refresh is due.
    assert.equal(await page.textContent('#access-token'), `${masked(issued.access_token)}`)
    assert.equal(await page.textContent('#refresh-token'), `${masked(issued.refresh_token)}`)
    assert.equal(await page.getAttribute('#expires', 'datetime'), new Date(issued.expires_in * 1000).toISOString())
    assert.equal(await page.getAttribute('#refresh-due', 'datetime'), new Date((issued.expires_in - REFRESH_MARGIN_SECONDS) * 1000).toISOString())
    assert.doesNotMatch(await page.textContent('body'), new RegExp(issued.access_token))
    assert.match(await page.textContent('#target'), /mock/i)

    await mkdir(SCREENSHOTS, { recursive: true })
    await page.screenshot({ path: path.join(SCREENSHOTS, 'success.png') })

    // "Get access token" while the token is fresh: no request.
    let beforeRefresh = demo.mock.requests.length
    await page.click('#get-token')
    await page.waitForFunction(() => /not refreshed/.test(document.querySelector('#refreshed').textContent))
    assert.equal(requestsSince(beforeRefresh, 'POST', TOKEN_PATH).length, 0)

    // Once it is due, the same button refreshes it: a new token replaces the old one on screen.
    await expireIn(page, 60)
    beforeRefresh = demo.mock.requests.length
    await page.click('#get-token')
    const shown = await nextToken(page, token)
    const refreshed = demo.mock.issued.at(-1)
    assert.equal(refreshed.grant_type, 'refresh_token')
    assert.equal(shown, refreshed.access_token)
    assert.notEqual(refreshed.access_token, token)
    const refreshRequests = requestsSince(beforeRefresh, 'POST', TOKEN_PATH)
    assert.equal(refreshRequests.length, 1)
    noAuthorizationHeader(refreshRequests[0])
    assert.deepEqual(JSON.parse(refreshRequests[0].body), { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: issued.refresh_token })
    assert.match(await page.textContent('#refreshed'), /^Refreshed at /)
    // The masked token changes visibly (tokens of a kind share their prefix, not their end).
    assert.equal(await page.textContent('#access-token'), masked(refreshed.access_token))
    assert.notEqual(masked(refreshed.access_token), masked(token))
    assert.equal(JSON.parse((await sessionStorageDump(page))[SESSION_KEY]).refresh_token, refreshed.refresh_token, 'the rotated refresh token is kept')

    // A reload keeps the session: the same token, no request.
    const beforeReload = demo.mock.requests.length
    await page.reload()
    assert.equal(await settled(page), 'done')
    assert.equal(await shownToken(page), refreshed.access_token)
    assert.equal(requestsSince(beforeReload, 'POST', TOKEN_PATH).length, 0)

    // The page refreshes by itself when the refresh is due (here: 2 s after the reload).
    await expireIn(page, REFRESH_MARGIN_SECONDS + 2)
    await page.reload()
    await shownToken(page)
    const auto = await nextToken(page, refreshed.access_token)
    assert.equal(auto, demo.mock.issued.at(-1).access_token)
    assert.equal(requestsSince(beforeReload, 'POST', TOKEN_PATH).length, 1)

    // Sign out: the page says so, and nothing is left in sessionStorage.
    await page.click('#sign-out')
    await page.waitForFunction(() => document.body.dataset.status === 'idle')
    assert.equal(await page.locator('#token').isHidden(), true)
    assert.deepEqual(await sessionStorageDump(page), {})
  }))

  test('deny on the consent page: the person is told in plain words and offered to try again', { timeout: TEST_TIMEOUT }, () => scenario('deny', async (context) => {
    const page = await context.newPage()
    const from = demo.mock.requests.length
    await goToConsent(page)
    await decide(page, 'deny')
    assert.equal(await page.evaluate(() => document.body.dataset.status), 'declined')
    assert.equal(await page.textContent('#heading'), 'You did not sign in')
    assert.match(await page.textContent('#status'), /You declined/)
    // No developer advice or error codes for a person who simply said no.
    assert.equal(await page.locator('#error').isHidden(), true)
    assert.doesNotMatch(await page.locator('main').innerText(), /oauth_error|access_denied|offer to try again/)
    assert.equal(await page.locator('#token').isHidden(), true)
    assert.equal(requestsSince(from, 'POST', TOKEN_PATH).length, 0, 'no token request after a denial')
    assert.deepEqual(await sessionStorageDump(page), {}, 'the pending flow is deleted on failure too')
    assert.doesNotMatch(page.url(), /error=|state=/)
    // "Try again" starts a new login: back on the consent page.
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(demo.mockUrl + AUTHORIZE_PATH)),
      page.click('#retry'),
    ])
    await page.locator('#authorize').waitFor()
  }))

  test('a token error shows Coze\'s log id once', { timeout: TEST_TIMEOUT }, () => scenario('log-id-once', async (context) => {
    const page = await context.newPage()
    await goToConsent(page)
    demo.mock.setFault('error_200')
    try {
      await decide(page, 'allow')
    } finally {
      demo.mock.clearFaults()
    }
    const text = await errorText(page)
    assert.match(text, /oauth_error/)
    const logId = demo.mock.requests.filter((r) => r.method === 'POST' && r.path === TOKEN_PATH).at(-1).logId
    assert.ok(logId, 'the mock sent a log id')
    assert.equal(text.split(logId).length - 1, 1, `the log id appears once in: ${text}`)
    assert.equal(await page.locator('#retry').isVisible(), true)
  }))

  test('reloading a used callback URL → missing_pending_flow, no second exchange', { timeout: TEST_TIMEOUT }, () => scenario('reload-used-callback', async (context) => {
    const page = await context.newPage()
    await goToConsent(page)
    const callbackUrl = await decide(page, 'allow')
    await shownToken(page)
    assert.match(callbackUrl, /[?&]code=/)

    const from = demo.mock.requests.length
    await page.goto(callbackUrl)
    assert.equal(await settled(page), 'error')
    assert.match(await errorText(page), /missing_pending_flow/)
    assert.equal(await page.locator('#retry').isVisible(), true, 'a failed sign-in offers to try again')
    assert.equal(await page.locator('#token').isHidden(), true)
    assert.equal(requestsSince(from, 'POST', TOKEN_PATH).length, 0, 'the used code must not be sent again')
    assert.doesNotMatch(page.url(), /code=|state=/)
  }))

  test('two tabs log in at once and finish in reverse order', { timeout: TEST_TIMEOUT }, () => scenario('two-tabs', async (context) => {
    const first = await context.newPage()
    const second = await context.newPage()
    const from = demo.mock.requests.length
    await goToConsent(first)
    await goToConsent(second)

    await decide(second, 'allow')
    const secondToken = await shownToken(second)
    await decide(first, 'allow')
    const firstToken = await shownToken(first)

    assert.notEqual(firstToken, secondToken)
    const issued = demo.mock.issued.map((t) => t.access_token)
    assert.ok(issued.includes(firstToken), 'first tab shows a token the mock issued')
    assert.ok(issued.includes(secondToken), 'second tab shows a token the mock issued')
    assert.equal(requestsSince(from, 'POST', TOKEN_PATH).length, 2)
    for (const page of [first, second]) {
      assert.equal(await page.locator('#error').isHidden(), true)
      assert.deepEqual(await pendingLogins(page), [])
    }
  }))
})
