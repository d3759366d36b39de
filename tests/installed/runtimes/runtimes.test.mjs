// The packed package where JavaScript runs, against the mock Coze (scripts/test-runtimes.sh
// installs the pinned tools and the tarball here first):
//   workerd (raw capnp config, module Worker, no bundler)   edge build: JWT (WebCrypto) + PKCE exchange
//   edge-runtime, code generation from bytes forbidden     edge build: JWT + PKCE exchange
//   Bun, Deno (read/env/net allowed), Node 22, Node 24      node build: JWT + PKCE exchange
//   Deno without --allow-read                               a CozeAuthError naming --allow-read
//   rollup, esbuild, bun build of a page on coze-auth/inline: PKCE login in headless Chromium
//   esbuild without the .wasm: an HTML fallback page gives a CozeAuthError that says so; with
//   the .wasm copied and handed to initWasm, the login works
//   initWasm's sources and checks (in this Node, on the inline build)
// Each test stops what it starts. Work files go to target/runtimes/.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { launchChromium } from '../../package/browser/chromium.mjs'
import { startMockCoze, AUTHORIZE_PATH } from '../../../mock-coze/server.mjs'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '..', '..', '..')
const WORK = path.join(ROOT, 'target', 'runtimes')
const MODULES = path.join(HERE, 'node_modules')
const BIN = (name) => path.join(MODULES, '.bin', name)
const PKG = path.join(MODULES, 'coze-auth')
const fixture = (name) => readFileSync(path.join(ROOT, 'tests', 'fixtures', name), 'utf8')
const APP_ID = 'runtime-app'
const KID = 'runtime-kid'
const CLIENT_ID = 'runtime-pkce'
const REDIRECT_URI = 'http://127.0.0.1:1/callback'

/** @type {Awaited<ReturnType<typeof startMockCoze>>} */
let mock

before(async () => {
  rmSync(WORK, { recursive: true, force: true })
  mkdirSync(WORK, { recursive: true })
  mock = await startMockCoze({ port: 0 })
  mock.registerJwtKey(KID, fixture('jwt-key-public.pem'), { appId: APP_ID })
})
after(() => mock?.close())

/** The jobs' config: a PKCS#1 key (the module converts it to PKCS#8 for the signer). */
const config = (extra) => ({ baseURL: mock.url, appId: APP_ID, keyid: KID, privateKey: fixture('jwt-key-pkcs1.pem'), clientId: CLIENT_ID, redirectUri: REDIRECT_URI, ...extra })

/** Both jobs succeeded, and the mock issued exactly these tokens (it verified the JWT's signature). */
function assertJobs (name, out, from) {
  assert.equal(out.jwt?.error, undefined, `${name}: JWT: ${JSON.stringify(out.jwt?.error)}`)
  assert.equal(out.pkce?.error, undefined, `${name}: PKCE: ${JSON.stringify(out.pkce?.error)}`)
  const issued = mock.issued.slice(from)
  const jwt = issued.find((t) => t.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer')
  const pkce = issued.find((t) => t.grant_type === 'authorization_code')
  assert.equal(out.jwt.access_token, jwt?.access_token, `${name}: the JWT grant's token`)
  assert.equal(jwt.client_id, APP_ID)
  assert.equal(out.pkce.access_token, pkce?.access_token, `${name}: the code exchange's token`)
  assert.equal(out.pkce.refresh_token, pkce.refresh_token)
  assert.equal(out.pat, true, `${name}: TokenAuth takes a pat_ token on a server`)
  for (const name of ['OAuthJWTFlow', 'PKCEOAuthApp', 'DeviceOAuthApp', 'WebOAuthApp', 'initWasm']) assert.ok(out.exports.includes(name), name)
}

/** Runs a command to its end (at most 60 s): { code, stdout, stderr }. */
function run (cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: HERE, stdio: ['ignore', 'pipe', 'pipe'], ...options })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

async function cli (name, cmd, args, extra) {
  const from = mock.issued.length
  const r = await run(cmd, [...args, 'cli.mjs', JSON.stringify(config(extra))])
  assert.equal(r.code, 0, `${name} exited ${r.code}: ${r.stderr}`)
  return { out: JSON.parse(r.stdout.trim().split('\n').at(-1)), from }
}

for (const [name, cmd, args] of [
  ['Node 22', path.join(MODULES, 'node22', 'bin', 'node'), []],
  ['Node 24', path.join(MODULES, 'node24', 'bin', 'node'), []],
  ['Bun', BIN('bun'), []],
  ['Deno', BIN('deno'), ['run', '--no-prompt', '--allow-read', '--allow-env', '--allow-net=127.0.0.1']]
]) {
  test(`${name}: JWT (node:crypto) and PKCE exchange`, { timeout: 60_000 }, async () => {
    const { out, from } = await cli(name, cmd, args)
    assertJobs(name, out, from)
  })
}

test('Deno without --allow-read: a CozeAuthError that names the flag (not an uncaught NotCapable)', { timeout: 60_000 }, async () => {
  const { out } = await cli('Deno', BIN('deno'), ['run', '--no-prompt', '--allow-env', '--allow-net=127.0.0.1'])
  for (const job of ['jwt', 'pkce']) {
    const e = out[job].error
    assert.equal(e?.name, 'CozeAuthError', `${job}: ${JSON.stringify(e)}`)
    assert.equal(e.code, 'unsupported')
    assert.match(e.message, /--allow-read/)
  }
})

test('Deno without --allow-env: the JWT flow names --allow-env when an option falls back to the environment', { timeout: 60_000 }, async () => {
  const { out } = await cli('Deno', BIN('deno'), ['run', '--no-prompt', '--allow-read', '--allow-net=127.0.0.1'], { appId: undefined, jobs: ['jwt'] })
  const e = out.jwt.error
  assert.equal(e?.name, 'CozeAuthError', JSON.stringify(e))
  assert.equal(e.code, 'unsupported')
  assert.match(e.message, /--allow-env/)
  assert.match(e.message, /COZELOOP_JWT_OAUTH_CLIENT_ID/)
  assert.match(e.message, /pass the appId option/)
})

test('workerd (raw capnp config, module Worker): JWT (WebCrypto) and PKCE exchange', { timeout: 60_000 }, async () => {
  const dir = path.join(WORK, 'workerd')
  mkdirSync(dir, { recursive: true })
  const rel = (file) => JSON.stringify(path.relative(dir, file))
  // No bundler: the package's edge entry and its wasm are modules named as the imports spell
  // them (workerd matches names literally). Outbound fetch may reach loopback (the mock).
  writeFileSync(path.join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (
      modules = [
        (name = "worker.mjs", esModule = embed ${rel(path.join(HERE, 'worker.mjs'))}),
        (name = "jobs.mjs", esModule = embed ${rel(path.join(HERE, 'jobs.mjs'))}),
        (name = "coze-auth", esModule = embed ${rel(path.join(PKG, 'edge', 'index.js'))}),
        (name = "coze_auth_bg.wasm?module", wasm = embed ${rel(path.join(PKG, 'edge', 'coze_auth_bg.wasm'))}),
      ],
      compatibilityDate = "2025-09-01",
      globalOutbound = "loopback",
    )),
    (name = "loopback", network = (allow = ["local", "private"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
`)
  const child = spawn(BIN('workerd'), ['serve', path.join(dir, 'config.capnp'), '--control-fd=3'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true })
  let log = ''
  child.stdout.on('data', (d) => { log += d })
  child.stderr.on('data', (d) => { log += d })
  try {
    const port = await new Promise((resolve, reject) => {
      let control = ''
      const timer = setTimeout(() => reject(new Error(`workerd did not listen within 30 s:\n${log}`)), 30_000)
      child.stdio[3].on('data', (d) => {
        control += d
        const m = /"event":"listen"[^}]*"port":(\d+)/.exec(control)
        if (m) { clearTimeout(timer); resolve(Number(m[1])) }
      })
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`workerd exited ${code}:\n${log}`)) })
    })
    const from = mock.issued.length
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify(config()) })
    const text = await res.text()
    assert.equal(res.status, 200, `${text}\n${log}`)
    assertJobs('workerd', JSON.parse(text), from)
  } finally {
    try { process.kill(-child.pid, 'SIGKILL') } catch {}
  }
})

test('edge-runtime (Vercel Edge stand-in, wasm code generation forbidden): JWT (WebCrypto) and PKCE exchange', { timeout: 60_000 }, async () => {
  const { build } = await import(pathToFileURL(path.join(MODULES, 'esbuild', 'lib', 'main.js')))
  const { EdgeRuntime } = await import(pathToFileURL(path.join(MODULES, 'edge-runtime', 'dist', 'index.js')))
  // As Next.js does for edge routes: each `*.wasm?module` compiled by the host and handed to the
  // sandbox as a global; the bundle (edge-light conditions) is a script, not a module.
  const modules = {}
  const wasmGlobals = {
    name: 'wasm-module-globals',
    setup (b) {
      b.onResolve({ filter: /\.wasm\?module$/ }, (a) => ({ path: path.resolve(a.resolveDir, a.path.replace(/\?module$/, '')), namespace: 'wasm-module' }))
      b.onLoad({ filter: /.*/, namespace: 'wasm-module' }, (a) => {
        const name = `__wasm${Object.keys(modules).length}`
        modules[name] = new WebAssembly.Module(readFileSync(a.path))
        return { contents: `export default globalThis.${name}`, loader: 'js' }
      })
    }
  }
  const entry = "import worker from './worker.mjs'; addEventListener('fetch', (e) => e.respondWith(worker.fetch(e.request)))"
  const { outputFiles: [bundle] } = await build({
    stdin: { contents: entry, resolveDir: HERE },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['edge-light', 'browser', 'import', 'module'],
    plugins: [wasmGlobals],
    logLevel: 'silent'
  })
  assert.match(bundle.text, /edge\/index\.js|wasmModule/, 'the edge build was bundled')
  const runtime = new EdgeRuntime({ codeGeneration: { strings: false, wasm: false }, extend: (ctx) => Object.assign(ctx, modules), initialCode: bundle.text })
  // The sandbox refuses to compile bytes: what the edge build must never need.
  await assert.rejects(runtime.evaluate("WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))"), /disallowed/)
  const from = mock.issued.length
  const res = await runtime.dispatchFetch('http://edge.test/', { method: 'POST', body: JSON.stringify(config()) })
  await res.waitUntil?.()
  const text = await res.text()
  assert.equal(res.status, 200, text)
  assertJobs('edge-runtime', JSON.parse(text), from)
})

// --- bundlers: a page on coze-auth/inline, bundled, served, logged in with PKCE in Chromium ---

const BUNDLERS = {
  async rollup (out) {
    const { rollup } = await import(pathToFileURL(path.join(MODULES, 'rollup', 'dist', 'es', 'rollup.js')))
    const { nodeResolve } = await import(pathToFileURL(path.join(MODULES, '@rollup', 'plugin-node-resolve', 'dist', 'es', 'index.js')))
    const bundle = await rollup({ input: path.join(HERE, 'page', 'main.js'), plugins: [nodeResolve({ browser: true })], logLevel: 'silent' })
    await bundle.write({ file: path.join(out, 'main.js'), format: 'es' })
    await bundle.close()
  },
  async esbuild (out) {
    const { build } = await import(pathToFileURL(path.join(MODULES, 'esbuild', 'lib', 'main.js')))
    await build({ entryPoints: [path.join(HERE, 'page', 'main.js')], outfile: path.join(out, 'main.js'), bundle: true, format: 'esm', platform: 'browser', logLevel: 'warning' })
  },
  async 'bun build' (out) {
    const r = await run(BIN('bun'), ['build', path.join(HERE, 'page', 'main.js'), '--target=browser', `--outfile=${path.join(out, 'main.js')}`])
    assert.equal(r.code, 0, r.stderr + r.stdout)
  }
}

let browser
before(async () => { browser = await launchChromium() })
after(() => browser?.close())

for (const [name, bundle] of Object.entries(BUNDLERS)) {
  test(`${name}: a page on coze-auth/inline logs in with PKCE in Chromium`, { timeout: 60_000 }, async () => {
    const out = path.join(WORK, name.replace(' ', '-'))
    mkdirSync(out, { recursive: true })
    await bundle(out)
    cpSync(path.join(HERE, 'page', 'index.html'), path.join(out, 'index.html'))
    assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.wasm')), [], 'nothing to emit: the wasm is inline')
    await login(name, out)
  })
}

test('esbuild, default build, .wasm not copied, HTML fallback server: a CozeAuthError that names what arrived and the fixes', { timeout: 60_000 }, async () => {
  const out = path.join(WORK, 'esbuild-default')
  await BUNDLE_ESBUILD('main-default.js', out)
  await withSite(out, { fallback: true }, async (site, page) => {
    await page.goto(`${site}/`)
    await page.waitForFunction(() => document.body.dataset.status !== 'loading')
    await page.click('#login')
    await page.waitForFunction(() => ['busy', 'ready'].includes(document.body.dataset.status) === false)
    assert.equal(await page.evaluate(() => document.body.dataset.status), 'error')
    const text = await page.textContent('#error')
    assert.match(text, /^CozeAuthError unsupported: Expected coze-auth's WebAssembly module \(coze_auth_bg\.wasm\) from http:\/\/127\.0\.0\.1:\d+\/coze_auth_bg\.wasm, but received an HTML page/)
    for (const fix of ['optimizeDeps', 'coze-auth/inline', 'initWasm']) assert.ok(text.includes(fix), `${fix} in: ${text}`)
  })
})

test('esbuild, default build, .wasm copied to /assets and given to initWasm: PKCE login in Chromium', { timeout: 60_000 }, async () => {
  const out = path.join(WORK, 'esbuild-init')
  await BUNDLE_ESBUILD('main-init.js', out)
  mkdirSync(path.join(out, 'assets'))
  cpSync(path.join(PKG, 'browser', 'coze_auth_bg.wasm'), path.join(out, 'assets', 'coze_auth_bg.wasm'))
  await login('esbuild-init', out, { wasm: 2 }) // initWasm on the login page, and again on the callback
})

test('initWasm (inline build, in this Node): what it accepts, what it refuses, and how it says so', async () => {
  const fresh = (tag) => import(`${pathToFileURL(path.join(PKG, 'inline', 'index.js'))}?${tag}`)
  const expect = async (lib, source, pattern) => {
    const e = await lib.initWasm(source).then(() => null, (err) => err)
    assert.ok(e instanceof lib.CozeAuthError, `${pattern}: ${e}`)
    assert.equal(e.code, 'unsupported')
    assert.match(e.message, pattern)
  }
  const lib = await fresh('refusals')
  await expect(lib, new TextEncoder().encode('<!doctype html><title>app</title>'), /received an HTML page.*optimizeDeps/)
  await expect(lib, new TextEncoder().encode('export default "x"'), /received JavaScript/)
  await expect(lib, new Uint8Array(0), /received an empty file/)
  await expect(lib, new Response('nope', { status: 404 }), /HTTP 404/)
  await expect(lib, Promise.resolve(new Response('AGFzbQEAAAABBwFgAn9/AX8=')), /base64/)
  await expect(lib, 42, /initWasm needs a WebAssembly.Module, bytes, a Response or a URL/)
  const bytes = readFileSync(path.join(PKG, 'browser', 'coze_auth_bg.wasm'))
  for (const [tag, source] of [
    ['bytes', new Uint8Array(bytes)],
    ['buffer', bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)],
    ['response', new Response(bytes)],
    ['module', new WebAssembly.Module(bytes)],
    ['url', pathToFileURL(path.join(PKG, 'browser', 'coze_auth_bg.wasm'))]
  ]) {
    const m = await fresh(tag)
    if (tag === 'url') {
      // Node's fetch has no file: URLs: the failure is a CozeAuthError with the cause.
      await expect(m, source, /Could not load coze-auth's WebAssembly module/)
      continue
    }
    await m.initWasm(source)
    const { url } = await new m.PKCEOAuthApp({ clientId: 'id' }).getOAuthUrl({ redirectUri: 'https://app.example/cb' })
    assert.ok(url.startsWith('https://www.coze.cn/'), `${tag}: ${url}`)
  }
})

const BUNDLE_ESBUILD = async (entry, out) => {
  const { build } = await import(pathToFileURL(path.join(MODULES, 'esbuild', 'lib', 'main.js')))
  await build({ entryPoints: [path.join(HERE, 'page', entry)], outfile: path.join(out, 'main.js'), bundle: true, format: 'esm', platform: 'browser', logLevel: 'warning' })
  cpSync(path.join(HERE, 'page', 'index.html'), path.join(out, 'index.html'))
}

/**
 * Serves `dir` and /config.json on 127.0.0.1 (with `fallback`, unknown paths get index.html, as
 * single-page-app servers answer), opens a page, runs `fn(site, page)`, then closes both.
 */
async function withSite (dir, { fallback = false } = {}, fn) {
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname
    if (pathname === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ clientId: CLIENT_ID, baseURL: mock.url }))
    }
    const file = path.join(dir, pathname === '/' ? 'index.html' : path.normalize(pathname))
    const type = file.endsWith('.html') ? 'text/html; charset=utf-8' : file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8'
    try {
      const body = readFileSync(file)
      res.writeHead(200, { 'content-type': type })
      res.end(body)
    } catch {
      if (fallback) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync(path.join(dir, 'index.html')))
      else res.writeHead(404).end()
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const context = await browser.newContext()
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  try {
    await fn(`http://127.0.0.1:${server.address().port}`, page)
  } finally {
    await context.close().catch(() => {})
    await new Promise((resolve) => { server.close(resolve); server.closeAllConnections() })
  }
}

/** The login page → consent → back → token; `wasm`: the .wasm requests expected (inline: none). */
function login (name, dir, { wasm = 0 } = {}) {
  return withSite(dir, {}, (site, page) => loginOn(name, site, page, wasm))
}

async function loginOn (name, site, page, wasm) {
  const log = []
  let wasmRequests = 0
  page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`))
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmRequests++ })
  await page.goto(`${site}/`)
  await page.waitForFunction(() => document.body.dataset.status !== 'loading')
  assert.equal(await page.evaluate(() => document.body.dataset.status), 'ready', await page.textContent('#error'))
  await Promise.all([page.waitForURL((u) => u.href.startsWith(mock.url + AUTHORIZE_PATH)), page.click('#login')])
  await Promise.all([page.waitForURL((u) => u.href.startsWith(`${site}/`)), page.click('#authorize')])
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.status))
  assert.equal(await page.evaluate(() => document.body.dataset.status), 'done', await page.textContent('#error'))
  assert.equal(await page.getAttribute('#token', 'data-access-token'), mock.issued.at(-1).access_token)
  assert.deepEqual(log, [], `${name}: no page errors`)
  assert.equal(wasmRequests, wasm, `${name}: .wasm requests`)
}
