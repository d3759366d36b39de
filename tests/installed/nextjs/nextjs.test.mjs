// The packed package in Next.js app-router apps with no configuration for it (no
// serverExternalPackages), built by `next build` and served by `next start`, against the mock
// Coze, for Next 15 and 16, each with Turbopack and with webpack (scripts/test-next.sh installs
// the pinned projects next15/ and next16/ and the tarball, then copies app-src/ into them):
//   /                a client page ('use client'), prerendered at build time on the server (the
//                    Node build's import must read nothing), logging in with PKCE in headless
//                    Chromium (the browser build, its .wasm emitted and fetched as an asset)
//   /api/token      a Node route handler, bundled: OAuthJWTFlow mints a token (the mock
//                    verifies the RS256 signature), the .wasm found through the installed package
//   /api/edge-token the same on the edge runtime (the edge build, WebCrypto)
// Each test stops the server it starts (its process group). Builds go to .next-<bundler>/.
// Then `output: 'standalone'` (the Docker way: .next/standalone/ holds a server.js and only the
// node_modules files Next's tracing found), started as Next's docs say: the folder copied
// elsewhere with .next/static beside it (so no node_modules of the app's is above it), `node
// server.js` with PORT and HOSTNAME, from another working directory; the same three checks.
// Turbopack (Next 15 and 16) with no configuration; webpack (Next 16) with README's
// outputFileTracingIncludes snippet.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchChromium } from '../../package/browser/chromium.mjs'
import { startMockCoze, AUTHORIZE_PATH } from '../../../mock-coze/server.mjs'
import { freePort } from '../../support/free-port.mjs'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '..', '..', '..')
const fixture = (name) => readFileSync(path.join(ROOT, 'tests', 'fixtures', name), 'utf8')
const APP_ID = 'next-app'
const KID = 'next-kid'
const CLIENT_ID = 'next-pkce'
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

// `next build`'s flag per bundler: Next 15 builds with webpack unless told --turbopack, Next 16
// with Turbopack unless told --webpack.
const BUILDS = [
  ['next15', 'turbopack', ['--turbopack']],
  ['next15', 'webpack', []],
  ['next16', 'turbopack', []],
  ['next16', 'webpack', ['--webpack']]
]
// `output: 'standalone'` builds (each a `next build` of its own): [project, bundler, flags,
// whether next.config gets README's outputFileTracingIncludes snippet (NEXT_TRACE_COZE_AUTH)].
const STANDALONE = [
  ['next15', 'turbopack', ['--turbopack'], false],
  ['next16', 'turbopack', [], false],
  ['next16', 'webpack', ['--webpack'], true]
]
const ONLY = process.env.NEXT_ONLY?.split(',').filter(Boolean) // e.g. NEXT_ONLY=next16-turbopack,standalone-next16-turbopack

/** @type {Awaited<ReturnType<typeof startMockCoze>>} */
let mock
let browser

before(async () => {
  mock = await startMockCoze({ port: 0 })
  mock.registerJwtKey(KID, fixture('jwt-key-public.pem'), { appId: APP_ID })
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
  await mock?.close()
})

const env = (distDir) => ({
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  NEXT_DIST_DIR: distDir,
  NODE_ENV: 'production',
  COZE_BASE_URL: mock.url,
  COZE_PKCE_CLIENT_ID: CLIENT_ID,
  COZE_JWT_APP_ID: APP_ID,
  COZE_JWT_KEY_ID: KID,
  COZE_JWT_PRIVATE_KEY: fixture('jwt-key-pkcs8.pem')
})

/** Starts `node next …` in its own process group; `log()` is its output so far. */
function next (project, args, distDir, extraEnv = {}) {
  const cwd = path.join(HERE, project)
  return node([path.join(cwd, 'node_modules', 'next', 'dist', 'bin', 'next'), ...args], cwd, { ...env(distDir), ...extraEnv })
}

/** Starts `node …args` in cwd, in its own process group; `log()` is its output so far. */
function node (args, cwd, childEnv) {
  const child = spawn(process.execPath, args, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let log = ''
  child.stdout.on('data', (d) => { log += d })
  child.stderr.on('data', (d) => { log += d })
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)))
  const stop = () => { try { process.kill(-child.pid, 'SIGKILL') } catch {} }
  return { child, exited, stop, log: () => log }
}

/** Polls `url` until the server answers (any status) or `proc` exits. */
async function waitUp (url, proc) {
  const deadline = Date.now() + 60_000
  let exited = false
  proc.exited.then(() => { exited = true })
  while (Date.now() < deadline && !exited) {
    try {
      await fetch(url)
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  throw new Error(`the server did not answer on ${url}:\n${proc.log()}`)
}

/** The login page → consent → back → token, in Chromium. */
async function pkceLogin (site) {
  const context = await browser.newContext()
  context.setDefaultTimeout(20_000)
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  try {
    await page.goto(`${site}/`)
    const status = () => page.getAttribute('main', 'data-status')
    await page.waitForFunction(() => document.querySelector('main')?.dataset.status !== 'loading')
    assert.equal(await status(), 'ready', await page.textContent('#error'))
    await Promise.all([page.waitForURL((u) => u.href.startsWith(mock.url + AUTHORIZE_PATH)), page.click('#login')])
    await Promise.all([page.waitForURL((u) => u.href.startsWith(`${site}/`)), page.click('#authorize')])
    await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('main')?.dataset.status))
    assert.equal(await status(), 'done', await page.textContent('#error'))
    const issued = mock.issued.at(-1)
    assert.equal(issued.grant_type, 'authorization_code')
    assert.equal(issued.client_id, CLIENT_ID)
    assert.equal(await page.getAttribute('#token', 'data-access-token'), issued.access_token)
    assert.deepEqual(errors, [], 'no page errors')
  } finally {
    await context.close().catch(() => {})
  }
}

/** A route minting a JWT token: the one the mock issued after verifying the signature. */
async function jwtRoute (site, route, runtime) {
  const from = mock.issued.length
  const res = await fetch(`${site}${route}`)
  const body = await res.json()
  assert.equal(res.status, 200, JSON.stringify(body))
  assert.equal(body.runtime, runtime)
  const issued = mock.issued.slice(from).filter((t) => t.grant_type === JWT_GRANT)
  assert.equal(issued.length, 1, 'one JWT grant reached the mock')
  assert.equal(issued[0].client_id, APP_ID)
  assert.equal(body.access_token, issued[0].access_token)
}

for (const [project, bundler, flags] of BUILDS) {
  const name = `${project}-${bundler}`
  test(`${project === 'next15' ? 'Next 15' : 'Next 16'} with ${bundler === 'turbopack' ? 'Turbopack' : 'webpack'}: next build, next start; PKCE login in Chromium, JWT in a Node route and an edge route`, {
    skip: ONLY && !ONLY.includes(name),
    timeout: 300_000
  }, async () => {
    const distDir = `.next-${bundler}`
    const lint = project === 'next15' ? ['--no-lint'] : [] // Next 15 lints when it finds ESLint; 16 never does
    const build = next(project, ['build', ...flags, ...lint], distDir)
    const code = await build.exited
    assert.equal(code, 0, `next build failed:\n${build.log()}`)
    if (bundler === 'turbopack') assert.match(build.log(), /Turbopack/)
    else assert.doesNotMatch(build.log(), /Turbopack/)
    assert.match(build.log(), /○ \/\s/, 'the page was prerendered')

    const port = await freePort()
    const server = next(project, ['start', '-p', String(port), '-H', '127.0.0.1'], distDir)
    try {
      const site = `http://127.0.0.1:${port}`
      await waitUp(`${site}/config.json`, server)
      await pkceLogin(site)
      await jwtRoute(site, '/api/token', 'nodejs')
      await jwtRoute(site, '/api/edge-token', 'edge')
    } catch (e) {
      e.message += `\n--- next start (${name}) ---\n${server.log()}`
      throw e
    } finally {
      server.stop()
      await server.exited
    }
  })
}

for (const [project, bundler, flags, traceSnippet] of STANDALONE) {
  const name = `standalone-${project}-${bundler}`
  test(`${project === 'next15' ? 'Next 15' : 'Next 16'} with ${bundler === 'turbopack' ? 'Turbopack' : 'webpack'}, output: 'standalone' (${traceSnippet ? "README's outputFileTracingIncludes" : 'no configuration'}): its server.js copied elsewhere and run from another folder; PKCE login, JWT in a Node route and an edge route`, {
    skip: ONLY && !ONLY.includes(name),
    timeout: 300_000
  }, async () => {
    const distDir = `.next-standalone-${bundler}`
    const out = path.join(HERE, project, distDir)
    rmSync(out, { recursive: true, force: true }) // a standalone folder left by an earlier run must not count
    const lint = project === 'next15' ? ['--no-lint'] : []
    const build = next(project, ['build', ...flags, ...lint], distDir, {
      NEXT_OUTPUT: 'standalone',
      ...(traceSnippet ? { NEXT_TRACE_COZE_AUTH: '1' } : {})
    })
    const code = await build.exited
    assert.equal(code, 0, `next build failed:\n${build.log()}`)
    assert.ok(existsSync(path.join(out, 'standalone', 'server.js')), `no standalone server.js:\n${build.log()}`)
    // What Next's tracing copied of coze-auth: the Node build's module, which its routes read.
    assert.ok(existsSync(path.join(out, 'standalone', 'node_modules', 'coze-auth', 'node', 'coze_auth_bg.wasm')), 'the .wasm reached .next/standalone')

    // As a Dockerfile does: the standalone folder, and .next/static inside it, somewhere with no
    // node_modules above it; the server started from yet another folder.
    const app = mkdtempSync(path.join(tmpdir(), 'coze-auth-standalone-'))
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'coze-auth-cwd-'))
    let server
    try {
      cpSync(path.join(out, 'standalone'), app, { recursive: true, verbatimSymlinks: true })
      cpSync(path.join(out, 'static'), path.join(app, distDir, 'static'), { recursive: true })
      const port = await freePort()
      server = node([path.join(app, 'server.js')], elsewhere, { ...env(distDir), PORT: String(port), HOSTNAME: '127.0.0.1' })
      const site = `http://127.0.0.1:${port}`
      await waitUp(`${site}/config.json`, server)
      await pkceLogin(site)
      await jwtRoute(site, '/api/token', 'nodejs')
      await jwtRoute(site, '/api/edge-token', 'edge')
    } catch (e) {
      if (server) e.message += `\n--- node server.js (${name}) ---\n${server.log()}`
      throw e
    } finally {
      if (server) {
        server.stop()
        await server.exited
      }
      rmSync(app, { recursive: true, force: true })
      rmSync(elsewhere, { recursive: true, force: true })
    }
  })
}
