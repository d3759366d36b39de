// The packed package in a wrangler project, as a Workers user builds and runs it, offline:
//   wrangler deploy --dry-run   the bundle holds coze-auth's .wasm as a module of its own
//   wrangler dev (local)        the Worker (tests/installed/runtimes/wrangler) mints a JWT token with
//                               WebCrypto and completes a PKCE login, against the mock Coze
// wrangler needs Node >= 22.12: it runs on the pinned Node 22 of this project. Nothing reaches
// Cloudflare: no login, no metrics (WRANGLER_SEND_METRICS), no request.cf fetch
// (CLOUDFLARE_CF_FETCH_ENABLED), `--local`, and its config and logs go to the work dir.
// Work files go to target/runtimes/wrangler/.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startMockCoze } from '../../../mock-coze/server.mjs'
import { JWT_GRANT } from '../../../mock-coze/jwt.mjs'
import { freePort } from '../../support/free-port.mjs'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '..', '..', '..')
const PROJECT = path.join(ROOT, 'target', 'runtimes', 'wrangler')
const MODULES = path.join(HERE, 'node_modules')
const NODE22 = path.join(MODULES, 'node22', 'bin', 'node')
const WRANGLER = path.join(MODULES, 'wrangler', 'bin', 'wrangler.js')
const fixture = (name) => readFileSync(path.join(ROOT, 'tests', 'fixtures', name), 'utf8')
// As tests/installed/runtimes/wrangler/wrangler.toml's [vars] say.
const APP_ID = 'runtime-app'
const KID = 'runtime-kid'
const CLIENT_ID = 'runtime-pkce'

const ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  XDG_CONFIG_HOME: path.join(PROJECT, '.config'),
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1'
}

/** @type {Awaited<ReturnType<typeof startMockCoze>>} */
let mock

before(async () => {
  mock = await startMockCoze({ port: 0 })
  mock.registerJwtKey(KID, fixture('jwt-key-public.pem'), { appId: APP_ID })
  rmSync(PROJECT, { recursive: true, force: true })
  cpSync(path.join(HERE, 'wrangler'), PROJECT, { recursive: true })
  // The project resolves `coze-auth` (the tarball) from this project's node_modules.
  symlinkSync(MODULES, path.join(PROJECT, 'node_modules'), 'dir')
  // What `wrangler dev` reads for local secrets: the key (PKCS#1, `\n` escaped) and the mock's URL.
  writeFileSync(path.join(PROJECT, '.dev.vars'), `COZE_API_BASE=${mock.url}\nCOZE_PRIVATE_KEY=${JSON.stringify(fixture('jwt-key-pkcs1.pem'))}\n`)
})
after(() => mock?.close())

/** Runs wrangler to its end (at most 60 s): { code, out }. */
function wrangler (args) {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE22, [WRANGLER, ...args], { cwd: PROJECT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out }) })
  })
}

test('wrangler deploy --dry-run: the bundle imports the edge build\'s .wasm, emitted as a module beside it', { timeout: 60_000 }, async () => {
  const r = await wrangler(['deploy', '--dry-run', '--outdir', 'dist'])
  assert.equal(r.code, 0, r.out)
  const files = readdirSync(path.join(PROJECT, 'dist'))
  const wasm = files.filter((f) => f.endsWith('.wasm'))
  assert.equal(wasm.length, 1, `one .wasm module in the bundle: ${files.join(', ')}`)
  // The edge build's module (the browser build's is a smaller one, without the server flows).
  assert.ok(readFileSync(path.join(PROJECT, 'dist', wasm[0])).equals(readFileSync(path.join(MODULES, 'coze-auth', 'edge', 'coze_auth_bg.wasm'))), 'the .wasm is the edge build\'s')
  const bundle = readFileSync(path.join(PROJECT, 'dist', 'index.js'), 'utf8')
  assert.match(bundle, new RegExp(`^import \\w+ from "\\./${wasm[0].replace('.', '\\.')}";$`, 'm'), 'the bundle imports it as a module')
  assert.doesNotMatch(bundle, /node:fs|readFileSync/, 'not the Node build')
})

test('wrangler dev (local, offline): the Worker mints a JWT token (WebCrypto) and completes a PKCE login against the mock Coze', { timeout: 90_000 }, async () => {
  const [port, inspector] = [await freePort(), await freePort()]
  const child = spawn(NODE22, [WRANGLER, 'dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--show-interactive-dev-session=false'], { cwd: PROJECT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let log = ''
  child.stdout.on('data', (d) => { log += d })
  child.stderr.on('data', (d) => { log += d })
  try {
    const site = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`wrangler dev was not ready within 60 s:\n${log}`)), 60_000)
      const ready = () => {
        const m = /Ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)
        if (m) { clearTimeout(timer); resolve(m[1]) }
      }
      child.stdout.on('data', ready)
      child.stderr.on('data', ready)
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`wrangler dev exited ${code}:\n${log}`)) })
    })
    assert.equal(site, `http://127.0.0.1:${port}`)

    // JWT: the mock verified the assertion's RS256 signature before issuing the token.
    const from = mock.issued.length
    const jwtRes = await fetch(`${site}/jwt`)
    const jwt = await jwtRes.json()
    assert.equal(jwtRes.status, 200, `${JSON.stringify(jwt)}\n${log}`)
    const granted = mock.issued.slice(from).filter((t) => t.grant_type === JWT_GRANT)
    assert.equal(granted.length, 1)
    assert.equal(jwt.access_token, granted[0].access_token)
    assert.equal(granted[0].client_id, APP_ID)
    assert.equal(mock.jwtRequests.at(-1).header.kid, KID)
    assert.equal(mock.jwtRequests.at(-1).status, 200)

    // PKCE: /login redirects to the mock's authorize page; the mock's consent sends the browser
    // back to the Worker's /callback, which exchanges the code with the verifier in its cookie.
    const login = await fetch(`${site}/login`, { redirect: 'manual' })
    assert.equal(login.status, 302, await login.text())
    const cookie = login.headers.get('set-cookie').split(';')[0]
    const { location, code } = await mock.consent(login.headers.get('location'))
    assert.ok(location.startsWith(`${site}/callback?`), location)
    const callback = await fetch(location, { headers: { cookie } })
    const token = await callback.json()
    assert.equal(callback.status, 200, `${JSON.stringify(token)}\n${log}`)
    const exchange = mock.requests.findLast((r) => r.method === 'POST' && r.body.includes('"authorization_code"'))
    assert.equal(JSON.parse(exchange.body).code, code)
    assert.equal(exchange.status, 200)
    const issued = mock.issued.at(-1)
    assert.equal(issued.grant_type, 'authorization_code')
    assert.equal(issued.client_id, CLIENT_ID)
    assert.equal(token.access_token, issued.access_token)
    assert.equal(token.refresh_token, issued.refresh_token)
  } finally {
    try { process.kill(-child.pid, 'SIGKILL') } catch {}
  }
})
