// The second hardening pass, JavaScript side, on the BUILT package against the mock Coze:
// bounded reads, traps, pending logins (bound to their app, cleaned up), long sleeps, parity
// (config file path, logger on every flow, codeVerifier, botChatScope permissions) and the
// newcomer's rough edges (network messages, constructor mistakes, storage option, COZE_API_BASE).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PKCEOAuthApp, DeviceOAuthApp, WebOAuthApp, OAuthJWTFlow, TokenAuth, botChatScope, loadOAuthApp, CozeAuthError, COZE_COM_BASE_URL } from 'coze-auth'
import { recordLine, secret } from './hygiene.mjs'
import { rejects } from './helpers.mjs'
import { startMockCoze, extractConsentHref, DEVICE_CODE_PATH, TOKEN_PATH } from '../../../mock-coze/server.mjs'

const CLIENT_ID = '7484523669621473318'
const REDIRECT = 'http://127.0.0.1:3000/callback'
const MIB = 1 << 20
const b64sha = (s) => crypto.createHash('sha256').update(s, 'ascii').digest('base64url')
const t = (name, fn) => test(name, { timeout: 15_000 }, fn)

async function withMock(fn) {
  const coze = await startMockCoze({ port: 0 })
  try {
    return await fn(coze)
  } finally {
    await coze.close()
  }
}

const pkce = (coze, extra = {}) => new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: coze.url, wwwBaseURL: coze.url, timeoutMs: 3000, ...extra })

/** A Map with the Web Storage interface (`length` and `key(i)` included, unless `enumerable` is false). */
function webStorage(enumerable = true) {
  const map = new Map()
  const store = {
    map,
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => void map.set(k, String(v)),
    removeItem: (k) => void map.delete(k),
  }
  if (enumerable) {
    Object.defineProperty(store, 'length', { get: () => map.size })
    store.key = (i) => [...map.keys()][i] ?? null
  }
  return store
}

async function consent(authorizeUrl) {
  const page = await fetch(authorizeUrl)
  const html = await page.text()
  assert.equal(page.status, 200, html)
  const res = await fetch(new URL(extractConsentHref(html), authorizeUrl), { redirect: 'manual' })
  await res.arrayBuffer()
  return res.headers.get('location')
}

// ---- 1. bounded reads -----------------------------------------------------------------------

/** A fetch answering 200 with an endless body stream; records how much was pulled and whether it was cancelled. */
function endlessFetch({ delayMs = 0 } = {}) {
  const seen = { pulled: 0, cancelled: false, aborted: false }
  const chunk = new Uint8Array(64 * 1024).fill(0x61)
  const fetch = async (_url, init) => {
    init.signal.addEventListener('abort', () => (seen.aborted = true))
    const body = new ReadableStream({
      async pull(controller) {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs))
        seen.pulled += chunk.length
        controller.enqueue(seen.pulled === chunk.length ? new TextEncoder().encode('{"access_token":"czs_') : chunk)
      },
      cancel() {
        seen.cancelled = true
      },
    })
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
  }
  return { fetch, seen }
}

t('bounded reads: an endless body without Content-Length stops past 1 MiB (invalid_response), the stream cancelled and the request aborted', async () => {
  const { fetch, seen } = endlessFetch()
  const app = new PKCEOAuthApp({ clientId: CLIENT_ID, fetch, timeoutMs: 2000 })
  const started = Date.now()
  const err = await rejects(app.refreshAccessToken('czs_refresh_for_the_endless_body'), { code: 'invalid_response', status: 200 })
  assert.match(err.message, /1 MiB|too large|larger/i)
  assert.ok(Date.now() - started < 1500, 'stopped at once, not at the time limit')
  assert.ok(seen.pulled <= MIB + 4 * 64 * 1024, `pulled ${seen.pulled} bytes`)
  assert.ok(seen.cancelled, 'the reader was cancelled')
  assert.ok(seen.aborted, 'the request was aborted')
})

t('bounded reads: the time limit and the AbortSignal still apply while the body is read', async () => {
  const slow = endlessFetch({ delayMs: 50 })
  const app = new PKCEOAuthApp({ clientId: CLIENT_ID, fetch: slow.fetch, timeoutMs: 300 })
  await rejects(app.refreshAccessToken('czs_refresh_for_the_slow_body'), { code: 'timeout' })
  assert.ok(slow.seen.cancelled, 'cancelled at the time limit')
  const slow2 = endlessFetch({ delayMs: 50 })
  const app2 = new PKCEOAuthApp({ clientId: CLIENT_ID, fetch: slow2.fetch, timeoutMs: 5000 })
  const ac = new AbortController()
  setTimeout(() => ac.abort(), 200)
  await rejects(app2.refreshAccessToken('czs_refresh_for_the_slow_body', { signal: ac.signal }), { code: 'aborted' })
  assert.ok(slow2.seen.cancelled, 'cancelled on abort')
})

t('bounded reads: a Response without a body stream is read whole and checked after', async () => {
  const big = new Uint8Array(MIB + 1).fill(0x20)
  const fetch = async () => ({ status: 200, headers: new Headers(), arrayBuffer: async () => big.buffer })
  await rejects(new PKCEOAuthApp({ clientId: CLIENT_ID, fetch }).refreshAccessToken('czs_refresh_for_the_whole_body'), { code: 'invalid_response' })
})

for (const fault of ['endless_body', 'gzip_endless', 'gzip_bomb']) {
  t(`bounded reads against the mock: ${fault} ends as invalid_response before the time limit`, () => withMock(async (coze) => {
    coze.setFault(fault, { path: DEVICE_CODE_PATH })
    const started = Date.now()
    await rejects(new DeviceOAuthApp({ clientId: 'device-client', baseURL: coze.url, timeoutMs: 2000 }).getDeviceCode(), { code: 'invalid_response' })
    assert.ok(Date.now() - started < 2000)
  }))
}

// ---- 2. a trap becomes CozeAuthError `internal`, and the instance is replaced ----------------

t('a trap in the module (out of memory) is CozeAuthError internal with the cause, and the next call runs on a fresh instance', () => {
  // A real trap: under a 4 MiB WebAssembly memory limit (V8's --wasm-max-mem-pages, as a small
  // device would have), a 5 MB client id makes the module's allocator fail.
  const child = fileURLToPath(new URL('./trap-child.mjs', import.meta.url))
  const out = JSON.parse(execFileSync(process.execPath, ['--wasm-max-mem-pages=64', child, '5000000'], { encoding: 'utf8' }).trim().split('\n').pop())
  assert.ok(out.loadedBefore, 'the first use instantiated the module (the import did not)')
  assert.deepEqual(
    { threw: out.first.threw, isCozeAuthError: out.first.isCozeAuthError, code: out.first.code, cause: out.first.cause },
    { threw: true, isCozeAuthError: true, code: 'internal', cause: 'RuntimeError' },
  )
  assert.match(out.first.message, /WebAssembly module failed/)
  assert.deepEqual(out.after, { ok: true })
  assert.equal(out.replaced, true, 'the trapped instance is not reused')
})

// ---- 3. a pending login is bound to the app that started it ---------------------------------

t('a login started by a coze.com app and finished by another app is refused (missing_pending_flow) before any request', () => withMock(async (coze) => {
  const storage = webStorage()
  const started = new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: COZE_COM_BASE_URL })
  const { state } = await started.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  const callback = `${REDIRECT}?code=czs_code_of_another_app_0123456789&state=${state}`
  secret('czs_code_of_another_app_0123456789')
  const err = await rejects(pkce(coze).handleCallback(callback, { storage }), { code: 'missing_pending_flow' })
  assert.match(err.message, /baseURL/)
  // The same URLs but another client id: refused too.
  const other = pkce(coze, { clientId: 'another-client-id' })
  const { state: state2 } = await other.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  const err2 = await rejects(pkce(coze).handleCallback(`${REDIRECT}?code=czs_code_of_another_app_0123456789&state=${state2}`, { storage }), { code: 'missing_pending_flow' })
  assert.match(err2.message, /clientId/)
  assert.equal(coze.requests.length, 0, 'nothing reached the mock')
}))

// ---- 4. long sleeps -------------------------------------------------------------------------

t('a sleep longer than 2^31-1 ms is split: setTimeout never gets more (it would fire after 1 ms)', () => withMock(async (coze) => {
  const app = new DeviceOAuthApp({ clientId: 'device-client', baseURL: coze.url, timeoutMs: 3000 })
  const dc = await app.getDeviceCode()
  secret(dc.device_code)
  const realNow = Date.now
  const realSetTimeout = globalThis.setTimeout
  const delays = []
  const ac = new AbortController()
  let calls = 0
  // The clock steps back 40 days right after the poller planned its first poll: the wait is 40 days.
  Date.now = () => realNow() - (calls++ >= 1 ? 40 * 86_400_000 : 0)
  globalThis.setTimeout = (fn, ms, ...rest) => {
    delays.push(ms)
    if (ms > 60_000) realSetTimeout(() => ac.abort(), 10)
    return realSetTimeout(fn, Math.min(ms, 2 ** 31 - 1), ...rest)
  }
  try {
    await rejects(app.getAccessToken({ deviceCode: dc.device_code, poll: true, signal: ac.signal }), { code: 'aborted' })
  } finally {
    Date.now = realNow
    globalThis.setTimeout = realSetTimeout
  }
  assert.ok(delays.every((ms) => ms <= 2 ** 31 - 1), `delays ${delays}`)
  assert.ok(delays.includes(2 ** 31 - 1), `delays ${delays}`)
}))

// ---- 5. abandoned pending logins are removed ------------------------------------------------

t('startLogin removes expired and unreadable pending logins from an enumerable storage, and nothing else', () => withMock(async (coze) => {
  const app = pkce(coze)
  const storage = webStorage()
  const realNow = Date.now
  Date.now = () => realNow() - 2 * 3600_000 // a login started two hours ago, never finished
  let old
  try {
    old = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  } finally {
    Date.now = realNow
  }
  storage.setItem('coze-auth:pkce:unreadable', '{not json')
  storage.setItem('unrelated:key', storage.getItem(`coze-auth:pkce:${old.state}`))
  assert.equal(storage.map.size, 3)
  const recent = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  assert.deepEqual([...storage.map.keys()].sort(), [`coze-auth:pkce:${recent.state}`, 'unrelated:key'].sort())
  // A login of less than an hour stays.
  const latest = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {} })
  assert.deepEqual([...storage.map.keys()].sort(), [`coze-auth:pkce:${recent.state}`, `coze-auth:pkce:${latest.state}`, 'unrelated:key'].sort())

  // A storage without length/key(i) is left as it is.
  const plain = webStorage(false)
  plain.setItem('coze-auth:pkce:unreadable', '{not json')
  await app.startLogin({ redirectUri: REDIRECT, storage: plain, navigate: () => {} })
  assert.equal(plain.map.size, 2)
}))

// ---- 6. parity ------------------------------------------------------------------------------

t('loadOAuthApp takes the path to the JSON file (Node), and says when it cannot read it', () => withMock(async (coze) => {
  const dir = mkdtempSync(join(tmpdir(), 'coze-auth-config-'))
  try {
    const path = join(dir, 'coze_oauth_config.json')
    writeFileSync(path, JSON.stringify({ client_type: 'pkce', client_id: CLIENT_ID, coze_api_base: coze.url, coze_www_base: coze.url }))
    const app = loadOAuthApp(path)
    assert.ok(app instanceof PKCEOAuthApp)
    const { url } = await app.getOAuthUrl({ redirectUri: REDIRECT })
    assert.ok(url.startsWith(`${coze.url}/api/permission/oauth2/authorize?`), url)
    const err = (() => { try { loadOAuthApp(join(dir, 'missing.json')) } catch (e) { return e } })()
    assert.ok(err instanceof CozeAuthError)
    assert.equal(err.code, 'invalid_argument')
    assert.match(err.message, /ENOENT/)
    assert.ok(err.message.includes('missing.json'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}))

t('a logger on every flow: one line per request (method, URL, status, log id, time), no secret', () => withMock(async (coze) => {
  coze.registerClient('web-client', { secret: 'web-secret-0123456789' })
  const lines = []
  const logger = (line, level) => {
    assert.equal(level, 'debug')
    lines.push(line)
    recordLine(line)
  }
  const app = pkce(coze, { logger })
  const auth = await app.getOAuthUrl({ redirectUri: REDIRECT })
  const code = new URL(await consent(auth.url)).searchParams.get('code')
  const token = await app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier: auth.codeVerifier })
  await app.refreshAccessToken(token.refresh_token)
  await new DeviceOAuthApp({ clientId: 'device-client', baseURL: coze.url, logger: { debug: (l) => logger(l, 'debug') } }).getDeviceCode()
  coze.setFault('http_500_empty')
  await rejects(new WebOAuthApp({ clientId: 'web-client', clientSecret: 'web-secret-0123456789', baseURL: coze.url, logger }).getAccessToken({ code: 'czs_code_for_the_web_logger', redirectUri: REDIRECT }), { code: 'http_error' })
  const req = (cls, path, status) => new RegExp(`^\\[coze-auth\\] \\[${cls}\\] POST ${coze.url.replace(/[.]/g, '\\.')}${path} -> ${status} \\(logId [0-9a-f]{32}\\) in \\d+ ms$`)
  assert.equal(lines.length, 4, lines.join('\n'))
  assert.match(lines[0], req('PKCEOAuthApp', TOKEN_PATH, 200))
  assert.match(lines[1], req('PKCEOAuthApp', TOKEN_PATH, 200))
  assert.match(lines[2], req('DeviceOAuthApp', DEVICE_CODE_PATH, 200))
  assert.match(lines[3], req('WebOAuthApp', TOKEN_PATH, 500))
  for (const line of lines) for (const s of [code, auth.codeVerifier, token.access_token, token.refresh_token, 'web-secret-0123456789']) assert.ok(!line.includes(s))
  // A failure without a response is a line too.
  const failed = []
  const port = await closedPort()
  await rejects(new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: `http://127.0.0.1:${port}`, logger: (l) => failed.push(l) }).refreshAccessToken('czs_refresh_for_the_failed_line'), { code: 'network_error' })
  assert.match(failed[0], new RegExp(`^\\[coze-auth\\] \\[PKCEOAuthApp\\] POST http://127\\.0\\.0\\.1:${port}/api/permission/oauth2/token failed \\(network_error\\) after \\d+ ms$`))
  assert.throws(() => pkce(coze, { logger: 'console' }), { code: 'invalid_argument' })
  // A log id header that does not look like one is not copied into the line.
  const odd = []
  const fetch = async () => new Response('{}', { status: 500, headers: { 'x-tt-logid': 'echo of code=czs_echoed_code_0123456789' } })
  await rejects(new PKCEOAuthApp({ clientId: CLIENT_ID, fetch, logger: (l) => odd.push(l) }).refreshAccessToken('czs_refresh_for_the_odd_log_id'), { code: 'http_error' })
  assert.match(odd[0], /-> 500 \(logId malformed\) in \d+ ms$/)
}))

t('codeVerifier of the caller (RFC 7636: 43 to 128 characters) in getOAuthUrl and startLogin', () => withMock(async (coze) => {
  const app = pkce(coze)
  const verifier = 'A1-._~'.repeat(8).slice(0, 43)
  const auth = await app.getOAuthUrl({ redirectUri: REDIRECT, codeVerifier: verifier })
  assert.equal(auth.codeVerifier, verifier)
  assert.equal(new URL(auth.url).searchParams.get('code_challenge'), b64sha(verifier))
  const long = 'v'.repeat(128)
  assert.equal((await app.getOAuthUrl({ redirectUri: REDIRECT, codeVerifier: long })).codeVerifier, long)
  for (const bad of ['v'.repeat(42), 'v'.repeat(129), `${'v'.repeat(42)}+`, `${'v'.repeat(42)} `]) {
    const err = await rejects(app.getOAuthUrl({ redirectUri: REDIRECT, codeVerifier: bad }), { code: 'invalid_argument' })
    assert.match(err.message, /codeVerifier|verifier/)
  }
  await rejects(app.getOAuthUrl({ redirectUri: REDIRECT, codeVerifier: 42 }), { code: 'invalid_argument' })
  // startLogin keeps it, and the login completes with it.
  const storage = webStorage()
  const mine = 'my-own-verifier-'.repeat(4)
  secret(mine)
  const login = await app.startLogin({ redirectUri: REDIRECT, storage, navigate: () => {}, codeVerifier: mine })
  assert.equal(JSON.parse(storage.getItem(`coze-auth:pkce:${login.state}`)).codeVerifier, mine)
  await app.handleCallback(await consent(login.url), { storage })
  assert.equal(JSON.parse(coze.requests.find((r) => r.path === TOKEN_PATH).body).code_verifier, mine)
}))

t('botChatScope(botIds, permissions)', () => {
  assert.deepEqual(botChatScope(['7400000000000000001'], ['Connector.botChat', 'Connector.webChat']), {
    account_permission: { permission_list: ['Connector.botChat', 'Connector.webChat'] },
    attribute_constraint: { connector_bot_chat_attribute: { bot_id_list: ['7400000000000000001'] } },
  })
  assert.deepEqual(botChatScope(['1']), botChatScope(['1'], undefined))
  assert.throws(() => botChatScope(['1'], 'Connector.botChat'), { code: 'invalid_argument' })
  assert.throws(() => botChatScope(['1'], [1]), { code: 'invalid_argument' })
})

t('HTTP 200 with only error_message is oauth_error with errorMessage and logId; Coze\'s param reaches CozeAuthError.param', () => withMock(async (coze) => {
  const app = pkce(coze)
  coze.setFault('error_message_only')
  const err = await rejects(app.refreshAccessToken('czs_refresh_for_the_message_only'), { code: 'oauth_error', status: 200, errorMessage: 'mock fault error_message_only: the request was refused' })
  assert.equal(err.logId, coze.requests.at(-1).logId)
  coze.setFault('error_param')
  const err2 = await rejects(app.refreshAccessToken('czs_refresh_for_the_param_fault'), { code: 'oauth_error', status: 400, param: 'redirect_uri', errorCode: 'invalid_request' })
  assert.match(err2.message, /redirect_uri/)
}))

// ---- 7. rough edges -------------------------------------------------------------------------

/** A local port nothing listens on (fetch refuses some ports, such as 1, before connecting). */
async function closedPort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

t('a network failure names the host and the reason; CORS only in a page', async () => {
  const port = await closedPort()
  const refused = await rejects(new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: `http://127.0.0.1:${port}` }).refreshAccessToken('czs_refresh_for_the_refused'), { code: 'network_error' })
  assert.equal(refused.message.split('. ')[0], `Could not reach 127.0.0.1:${port}: ECONNREFUSED 127.0.0.1:${port}`)
  assert.doesNotMatch(refused.message, /CORS|See `cause`/)
  assert.ok(refused.cause)
  const dns = Object.assign(new Error('getaddrinfo ENOTFOUND api.coze.cn'), { code: 'ENOTFOUND', hostname: 'api.coze.cn', syscall: 'getaddrinfo' })
  const fetch = async () => {
    throw new TypeError('fetch failed', { cause: dns })
  }
  const notFound = await rejects(new PKCEOAuthApp({ clientId: CLIENT_ID, fetch }).refreshAccessToken('czs_refresh_for_the_not_found'), { code: 'network_error' })
  assert.match(notFound.message, /^Could not reach api\.coze\.cn: ENOTFOUND api\.coze\.cn\./)
  globalThis.document = {}
  try {
    const inPage = await rejects(new PKCEOAuthApp({ clientId: CLIENT_ID, fetch }).refreshAccessToken('czs_refresh_for_the_page'), { code: 'network_error' })
    assert.match(inPage.message, /CORS/)
  } finally {
    delete globalThis.document
  }
  // Free text of a custom fetch's error is never quoted in the message (it could hold anything;
  // it stays in `cause`, the caller's own error, so it is not declared a secret here).
  const odd = async () => {
    throw new Error('failed with czs_secret_in_a_message_0123')
  }
  const e = await rejects(new PKCEOAuthApp({ clientId: CLIENT_ID, fetch: odd }).refreshAccessToken('czs_refresh_for_the_odd'), { code: 'network_error' })
  assert.ok(!e.message.includes('czs_secret_in_a_message_0123'))
})

t('the storage given to the PKCEOAuthApp constructor is used by startLogin and handleCallback', () => withMock(async (coze) => {
  const storage = webStorage()
  const app = pkce(coze, { storage })
  const login = await app.startLogin({ redirectUri: REDIRECT, navigate: () => {} })
  assert.equal(storage.map.size, 1)
  const token = await app.handleCallback(await consent(login.url))
  assert.match(token.access_token, /^czs_mock_at_/)
  assert.equal(storage.map.size, 0)
  // A per-call storage still wins.
  const other = webStorage()
  await app.startLogin({ redirectUri: REDIRECT, navigate: () => {}, storage: other })
  assert.equal(other.map.size, 1)
  assert.equal(storage.map.size, 0)
  assert.throws(() => pkce(coze, { storage: {} }), { code: 'invalid_argument' })
}))

t('constructor mistakes say what was received and what is expected, never the value', () => {
  const cases = [
    [() => new TokenAuth('pat_secret_token_value_0123'), 'TokenAuth takes an options object ({ token }); received a string.'],
    [() => new PKCEOAuthApp('7484523669621473318'), 'PKCEOAuthApp takes an options object ({ clientId, baseURL?, … }); received a string.'],
    [() => new DeviceOAuthApp(42), 'DeviceOAuthApp takes an options object ({ clientId, baseURL?, … }); received a number.'],
    [() => new WebOAuthApp(['id', 'secret']), 'WebOAuthApp takes an options object ({ clientId, clientSecret, baseURL?, … }); received an array.'],
    [() => new OAuthJWTFlow('app-id'), 'OAuthJWTFlow takes an options object ({ appId, keyid, privateKey, … }); received a string.'],
    [() => new PKCEOAuthApp(null), 'PKCEOAuthApp takes an options object ({ clientId, baseURL?, … }); received null.'],
  ]
  secret('pat_secret_token_value_0123')
  for (const [make, message] of cases) assert.throws(make, (e) => e instanceof CozeAuthError && e.code === 'invalid_argument' && e.message === message)
  // Options and arguments of the wrong type say what they received, the same way.
  assert.throws(() => new PKCEOAuthApp({ clientId: 7484523669621473318 }), { message: 'clientId must be a string; received a number.' })
  assert.throws(() => new PKCEOAuthApp({ clientId: CLIENT_ID, fetch: 'fetch' }), { message: 'fetch must be a function; received a string.' })
  assert.throws(() => botChatScope('7400000000000000001'), { message: 'botIds must be an array of strings; received a string.' })
  assert.throws(() => botChatScope([7400000000000000001]), { message: 'botIds must be an array of strings; received an array with an item that is not a string.' })
  assert.throws(() => loadOAuthApp(42), { message: 'loadOAuthApp needs the config as JSON text, a path to its file, or an object; received a number.' })
})

t('a method given an argument of the wrong type says what it received', async () => {
  const app = new PKCEOAuthApp({ clientId: CLIENT_ID })
  await rejects(app.refreshAccessToken({ refresh_token: 'x' }), { code: 'invalid_argument', message: 'refreshToken must be a string; received an object.' })
  await rejects(app.handleCallback(undefined), { code: 'invalid_argument', message: 'handleCallback needs the callback URL (location.href) as a string; received nothing.' })
})

t('a wrong codeVerifier at the exchange says the verifier did not match, not "start the login again"', () => withMock(async (coze) => {
  const app = pkce(coze)
  const auth = await app.getOAuthUrl({ redirectUri: REDIRECT })
  const code = new URL(await consent(auth.url)).searchParams.get('code')
  const wrong = 'w'.repeat(43)
  secret(wrong)
  const err = await rejects(app.getAccessToken({ code, redirectUri: REDIRECT, codeVerifier: wrong }), { code: 'oauth_error', errorCode: 'invalid_grant' })
  assert.match(err.message, /code verifier does not match the code challenge/)
  assert.doesNotMatch(err.message, /start the login again/)
}))

t('DeviceOAuthApp, PKCEOAuthApp and WebOAuthApp fall back to COZE_API_BASE for baseURL (Node)', () => withMock(async (coze) => {
  coze.registerClient('web-client', { secret: 'web-secret-0123456789' })
  const saved = process.env.COZE_API_BASE
  process.env.COZE_API_BASE = coze.url
  try {
    const dc = await new DeviceOAuthApp({ clientId: 'device-client' }).getDeviceCode()
    secret(dc.device_code)
    assert.equal(coze.requests.at(-1).path, DEVICE_CODE_PATH)
    const { url } = await new PKCEOAuthApp({ clientId: CLIENT_ID }).getOAuthUrl({ redirectUri: REDIRECT })
    assert.ok(url.startsWith(coze.url), url)
    const web = await new WebOAuthApp({ clientId: 'web-client', clientSecret: 'web-secret-0123456789' }).getOAuthUrl({ redirectUri: REDIRECT })
    assert.ok(web.url.startsWith(coze.url), web.url)
    // An option still wins.
    const other = await new PKCEOAuthApp({ clientId: CLIENT_ID, baseURL: COZE_COM_BASE_URL }).getOAuthUrl({ redirectUri: REDIRECT })
    assert.ok(other.url.startsWith('https://www.coze.com/'), other.url)
  } finally {
    if (saved === undefined) delete process.env.COZE_API_BASE
    else process.env.COZE_API_BASE = saved
  }
}))
