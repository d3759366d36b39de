// The packed package in a Vite app and a webpack 5 app: each app imports PKCEOAuthApp from the
// installed tarball, is built with its bundler's defaults, served as static files on 127.0.0.1,
// and logs in with PKCE in headless Chromium against the mock Coze server. The Vite app also
// logs in under Vite's dev server (which needs the one line of vite.config.js the package
// README gives: optimizeDeps.exclude).
//
//   bash scripts/test-pack.sh      (installs the tarball into each app, builds them, runs this)
//
// Chromium at /usr/bin/chromium (override with CHROMIUM_PATH). On failure, a screenshot goes to
// target/screenshots/ and the page's console errors are appended to the message.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { mkdir, readFile, stat } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { launchChromium } from '../../package/browser/chromium.mjs'
import { startMockCoze, AUTHORIZE_PATH, TOKEN_PATH } from '../../../mock-coze/server.mjs'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '..', '..', '..')
const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots')
const CLIENT_ID = 'bundler-app'
const STEP_TIMEOUT = 8_000

/** Each app: its build output directory, plus static files served beside it. */
const APPS = [
  { name: 'vite', dir: path.join(HERE, 'vite-app'), roots: ['dist'] },
  { name: 'webpack', dir: path.join(HERE, 'webpack-app'), roots: ['dist', 'public'] }
]

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json'
}

/** @type {Awaited<ReturnType<typeof startMockCoze>>} */
let mock
/** @type {import('playwright-core').Browser} */
let browser

before(async () => {
  for (const app of APPS) {
    const dist = path.join(app.dir, 'dist')
    if (!existsSync(dist)) throw new Error(`${path.relative(ROOT, dist)} is missing: run scripts/test-pack.sh (it installs the tarball and builds the apps)`)
  }
  mock = await startMockCoze({ port: 0 })
  browser = await launchChromium()
}, { timeout: 30_000 })

after(async () => {
  await browser?.close().catch(() => {})
  await mock?.close()
}, { timeout: 15_000 })

/**
 * Serves the app's built files (first root that has the path wins) and /config.json on
 * 127.0.0.1, with the MIME types a production server sends (application/wasm for streaming
 * compilation).
 */
async function serve (app) {
  const roots = app.roots.map((r) => path.join(app.dir, r))
  const server = http.createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname)
    if (pathname === '/config.json') {
      res.writeHead(200, { 'content-type': MIME['.json'] })
      return res.end(JSON.stringify({ clientId: CLIENT_ID, baseURL: mock.url }))
    }
    const rel = path.posix.normalize('/' + (pathname.endsWith('/') ? pathname + 'index.html' : pathname))
    for (const root of roots) {
      const file = path.join(root, rel)
      if (!(await stat(file).then((s) => s.isFile(), () => false))) continue
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' })
      return res.end(await readFile(file))
    }
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end(`not found: ${pathname}\n`)
  })
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections() })
  }
}

/** Vite's dev server on the app's sources (its vite.config.js included), plus /config.json. */
async function serveViteDev (app) {
  const { createServer } = await import(pathToFileURL(path.join(app.dir, 'node_modules', 'vite', 'dist', 'node', 'index.js')))
  const server = await createServer({
    root: app.dir,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false },
    plugins: [{
      name: 'test-config-json',
      configureServer (dev) {
        dev.middlewares.use('/config.json', (req, res) => {
          res.setHeader('content-type', MIME['.json'])
          res.end(JSON.stringify({ clientId: CLIENT_ID, baseURL: mock.url }))
        })
      }
    }]
  })
  await server.listen()
  return { url: `http://127.0.0.1:${server.httpServer.address().port}`, close: () => server.close() }
}

const s256 = (verifier) => createHash('sha256').update(verifier, 'ascii').digest('base64url')

function filesUnder (dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
}

for (const app of APPS) {
  test(`${app.name}: the build emits the package's .wasm as an asset`, () => {
    const wasm = filesUnder(path.join(app.dir, 'dist')).filter((f) => f.endsWith('.wasm'))
    assert.equal(wasm.length, 1, `one .wasm in dist/, found ${JSON.stringify(wasm)}`)
    const shipped = readFileSync(path.join(app.dir, 'node_modules', 'coze-auth', 'browser', 'coze_auth_bg.wasm'))
    assert.ok(readFileSync(wasm[0]).equals(shipped), 'the emitted .wasm is the package\'s browser wasm')
  })

  test(`${app.name}: PKCE login in Chromium against mock Coze`, { timeout: 30_000 }, () => login(app.name, () => serve(app)))
}

test('vite dev server: PKCE login in Chromium against mock Coze', { timeout: 30_000 }, () => login('vite-dev', () => serveViteDev(APPS[0])))

/** Serves the app, then: login page → startLogin → mock consent → allow → handleCallback → token shown. */
async function login (name, start) {
  const site = await start()
  const context = await browser.newContext()
  context.setDefaultTimeout(STEP_TIMEOUT)
  const log = []
  const wasmResponses = []
  const page = await context.newPage()
  // Chromium asks each origin (the mock's consent page has no icon link) for /favicon.ico.
  const isFavicon = (url) => new URL(url).pathname === '/favicon.ico'
  page.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && !isFavicon(m.location().url || 'http://x/')) log.push(`[console.${m.type()}] ${m.text()}`)
  })
  page.on('response', (r) => { if (r.status() >= 400 && !isFavicon(r.url())) log.push(`[http ${r.status()}] ${r.url()}`) })
  page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`))
  page.on('requestfailed', (r) => log.push(`[requestfailed] ${r.url()}: ${r.failure()?.errorText}`))
  page.on('response', (r) => { if (r.url().endsWith('.wasm')) wasmResponses.push(r) })
  const from = mock.requests.length
  try {
    // Login page: the module (and its wasm) load, the button becomes usable.
    await page.goto(`${site.url}/`)
    await page.waitForFunction(() => document.body.dataset.status !== 'loading')
    assert.equal(await page.evaluate(() => document.body.dataset.status), 'ready', await page.textContent('#error'))

    // startLogin → the mock's consent page.
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(mock.url + AUTHORIZE_PATH)),
      page.click('#login')
    ])
    const authorize = mock.requests.slice(from).filter((r) => r.path === AUTHORIZE_PATH)
    assert.equal(authorize.length, 1)
    const q = authorize[0].query
    assert.equal(q.client_id, CLIENT_ID)
    assert.equal(q.redirect_uri, `${site.url}/`)
    assert.equal(q.code_challenge_method, 'S256')

    // Consent → redirect back → handleCallback → token on the page.
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(`${site.url}/`)),
      page.click('#authorize')
    ])
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.status))
    assert.equal(await page.evaluate(() => document.body.dataset.status), 'done', await page.textContent('#error'))
    const token = await page.getAttribute('#token', 'data-access-token')
    assert.equal(token, mock.issued.at(-1).access_token)
    assert.equal(page.url(), `${site.url}/`)

    const exchanges = mock.requests.slice(from).filter((r) => r.method === 'POST' && r.path === TOKEN_PATH)
    assert.equal(exchanges.length, 1, 'exactly one token request')
    const body = JSON.parse(exchanges[0].body)
    assert.equal(body.grant_type, 'authorization_code')
    assert.equal(body.redirect_uri, `${site.url}/`)
    assert.equal(s256(body.code_verifier), q.code_challenge, 'S256(verifier) = challenge')
    assert.deepEqual(await page.evaluate(() => ({ ...sessionStorage })), {}, 'no pending login left behind')

    // The wasm came from the app's server, with the MIME type streaming compilation needs.
    assert.ok(wasmResponses.length >= 1, 'the page fetched a .wasm')
    for (const r of wasmResponses) {
      assert.ok(r.url().startsWith(site.url), r.url())
      assert.equal(r.status(), 200, r.url())
      assert.equal(r.headers()['content-type'], 'application/wasm')
    }
    assert.deepEqual(log, [], 'no errors in the page')
  } catch (err) {
    await mkdir(SCREENSHOTS, { recursive: true })
    const shot = path.join(SCREENSHOTS, `bundler-${name}.png`)
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {})
    if (err instanceof Error) err.message += `\nscreenshot: ${path.relative(ROOT, shot)}${log.length ? `\nbrowser log:\n  ${log.join('\n  ')}` : ''}`
    throw err
  } finally {
    await context.close().catch(() => {})
    await site.close()
  }
}

test('output sizes (JS + wasm, gzip -9)', () => {
  const rows = APPS.map((app) => {
    const files = filesUnder(path.join(app.dir, 'dist'))
    const sum = (ext) => files.filter((f) => f.endsWith(ext)).reduce((acc, f) => {
      const bytes = readFileSync(f)
      return { raw: acc.raw + bytes.length, gz: acc.gz + gzipSync(bytes, { level: 9 }).length }
    }, { raw: 0, gz: 0 })
    const js = sum('.js')
    const wasm = sum('.wasm')
    return `${app.name.padEnd(8)} JS ${js.raw} B (${js.gz} gz) + wasm ${wasm.raw} B (${wasm.gz} gz) = ${js.gz + wasm.gz} B gz`
  })
  console.log(`bundled app sizes:\n  ${rows.join('\n  ')}`)
})
