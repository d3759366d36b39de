#!/usr/bin/env node
// Static server for the PKCE login demo (www/), with no dependencies beyond Node built-ins.
//
//   node scripts/demo.mjs                      # against the local mock Coze server
//   COZE_PKCE_OAUTH_CLIENT_ID=… node scripts/demo.mjs   # against real Coze
//
// Serves  /            → www/
//         /pkg/        → pkg/ (the built npm package; run `npm run build` first)
//         /config.json → {clientId, baseURL, wwwBaseURL, redirectUri, mode}
//
// Environment: DEMO_PORT (default 8080), MOCK_PORT (default 8081, mock mode only),
// COZE_PKCE_OAUTH_CLIENT_ID (switches to real Coze), COZE_API_BASE, COZE_REGION (cn|com, default cn),
// COZE_WWW_BASE, COZE_PKCE_OAUTH_REDIRECT_URI (default: <page origin>/callback.html).
//
// In-process use (tests): `const demo = await startDemo({ port: 0, mockPort: 0, env: {} })`
// → { url, mockUrl, mock, config, close() }.

import http from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { realpathSync } from 'node:fs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const WWW_DIR = path.join(ROOT, 'www')
const PKG_DIR = path.join(ROOT, 'pkg')
const MOCK_MODULE = path.join(ROOT, 'mock-coze', 'server.mjs')

const REGIONS = { cn: 'https://api.coze.cn', com: 'https://api.coze.com' }
const MOCK_CLIENT_ID = 'demo-client'

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon'
}

/**
 * Works out where the demo points from the environment. Throws on a bad COZE_REGION.
 * Returns the client config (served as /config.json) without the mock's URL filled in.
 */
export function configFromEnv (env) {
  const clientId = (env.COZE_PKCE_OAUTH_CLIENT_ID || '').trim()
  if (!clientId) {
    return { mode: 'mock', clientId: MOCK_CLIENT_ID, baseURL: null, wwwBaseURL: null, redirectUri: null }
  }
  let baseURL = (env.COZE_API_BASE || '').trim()
  if (!baseURL) {
    const region = (env.COZE_REGION || 'cn').trim().toLowerCase()
    baseURL = REGIONS[region]
    if (!baseURL) throw new Error(`COZE_REGION must be "cn" or "com", got ${JSON.stringify(env.COZE_REGION)}`)
  }
  baseURL = stripSlashes(baseURL)
  assertHttpUrl('COZE_API_BASE', baseURL)
  let wwwBaseURL = stripSlashes((env.COZE_WWW_BASE || '').trim())
  if (!wwwBaseURL) wwwBaseURL = baseURL.replace('://api.', '://www.')
  assertHttpUrl('COZE_WWW_BASE', wwwBaseURL)
  const redirectUri = (env.COZE_PKCE_OAUTH_REDIRECT_URI || '').trim() || null
  if (redirectUri) assertHttpUrl('COZE_PKCE_OAUTH_REDIRECT_URI', redirectUri)
  return { mode: 'coze', clientId, baseURL, wwwBaseURL, redirectUri }
}

/**
 * Starts the demo (and, without COZE_PKCE_OAUTH_CLIENT_ID, the mock Coze server).
 * @param {{port?: number, mockPort?: number, host?: string, env?: Record<string,string|undefined>}} [options]
 *   port/mockPort 0 = any free port; defaults from env DEMO_PORT (8080) / MOCK_PORT (8081).
 */
export async function startDemo ({ port, mockPort, host = 'localhost', env = process.env } = {}) {
  const config = configFromEnv(env)
  port = toPort(port ?? env.DEMO_PORT ?? 8080, 'DEMO_PORT')

  let mock = null
  if (config.mode === 'mock') {
    const { startMockCoze } = await import(pathToFileURL(MOCK_MODULE).href)
    mock = await startMockCoze({ port: toPort(mockPort ?? env.MOCK_PORT ?? 8081, 'MOCK_PORT') })
    config.baseURL = mock.url
    config.wwwBaseURL = mock.url
  }

  const server = http.createServer((req, res) => {
    handle(req, res, config).catch((err) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${err.message}\n`)
      else res.destroy(err)
    })
  })
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => { server.off('error', reject); resolve() })
    })
  } catch (err) {
    if (mock) await mock.close().catch(() => {})
    throw err
  }

  const url = `http://${host.includes(':') ? `[${host}]` : host}:${server.address().port}`
  let closing = null
  return {
    url,
    mockUrl: mock ? mock.url : null,
    mock,
    config,
    close () {
      closing ??= (async () => {
        await new Promise((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        if (mock) await mock.close()
      })()
      return closing
    }
  }
}

async function handle (req, res, config) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD')
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n')
  }
  let pathname
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://demo.invalid').pathname)
  } catch {
    return send(res, 400, 'text/plain; charset=utf-8', 'bad request\n')
  }
  if (pathname.includes('\0')) return send(res, 400, 'text/plain; charset=utf-8', 'bad request\n')

  if (pathname === '/config.json') {
    return send(res, 200, MIME['.json'], JSON.stringify(config, null, 2) + '\n', req)
  }

  let base, rel
  if (pathname === '/pkg' || pathname.startsWith('/pkg/')) {
    base = PKG_DIR
    rel = pathname.slice('/pkg'.length)
  } else {
    base = WWW_DIR
    rel = pathname
  }
  if (rel === '' || rel.endsWith('/')) rel += 'index.html'
  const file = path.resolve(base, '.' + path.posix.normalize('/' + rel))
  if (file !== base && !file.startsWith(base + path.sep)) {
    return send(res, 403, 'text/plain; charset=utf-8', 'forbidden\n')
  }

  let body
  try {
    const info = await stat(file)
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' })
    body = await readFile(file)
  } catch (err) {
    if (err.code !== 'ENOENT' && err.code !== 'ENOTDIR') throw err
    const hint = base === PKG_DIR ? ' (is the package built? run `npm run build`)' : ''
    return send(res, 404, 'text/plain; charset=utf-8', `not found: ${pathname}${hint}\n`, req)
  }
  const type = MIME[path.extname(file).toLowerCase()] || 'application/octet-stream'
  if (type.startsWith('text/html')) {
    res.setHeader('Content-Security-Policy', csp(config))
    res.setHeader('Referrer-Policy', 'no-referrer')
  }
  send(res, 200, type, body, req)
}

/** A strict policy: our scripts only, WebAssembly allowed, network only to ourselves and the API. */
function csp (config) {
  const api = originOf(config.baseURL)
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    `connect-src 'self'${api ? ' ' + api : ''}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'"
  ].join('; ')
}

function send (res, status, type, body, req) {
  res.statusCode = status
  res.setHeader('Content-Type', type)
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.end(req?.method === 'HEAD' ? undefined : body)
}

function originOf (url) {
  try { return new URL(url).origin } catch { return null }
}

function stripSlashes (url) {
  return url.replace(/\/+$/, '')
}

function assertHttpUrl (name, value) {
  let u
  try { u = new URL(value) } catch { throw new Error(`${name} is not a URL: ${JSON.stringify(value)}`) }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`${name} must be an http(s) URL: ${value}`)
}

function toPort (value, name) {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number (0-65535), got ${JSON.stringify(value)}`)
  return n
}

// ----------------------------------------------------------------------------- CLI

function isMain () {
  if (!process.argv[1]) return false
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

async function cli () {
  let demo = null
  let stopping = false
  const stop = async (signal) => {
    if (stopping || !demo) process.exit(130) // not started yet, or a second Ctrl-C: stop now
    stopping = true
    console.log(`\n${signal}: shutting down`)
    await demo.close()
    process.exit(0)
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))

  try {
    demo = await startDemo()
  } catch (err) {
    const hint = err.code === 'EADDRINUSE' ? ' (set DEMO_PORT / MOCK_PORT to another port)' : ''
    console.error(`demo: ${err.message}${hint}`)
    process.exit(1)
  }
  const { config } = demo
  const redirectUri = config.redirectUri || `${demo.url}/callback.html`
  console.log(`coze-auth PKCE demo: ${demo.url}/`)
  if (config.mode === 'mock') {
    console.log(`  mode: mock — mock Coze server at ${demo.mockUrl}, client id "${config.clientId}"`)
    console.log('  (set COZE_PKCE_OAUTH_CLIENT_ID to log in with real Coze)')
  } else {
    console.log(`  mode: coze — API ${config.baseURL}, consent page on ${config.wwwBaseURL}, client id "${config.clientId}"`)
    console.log(`  Register this redirect URI on your Coze PKCE OAuth app: ${redirectUri}`)
    console.log(`  (OAuth apps console: ${config.wwwBaseURL}/open/oauth/apps), and open the demo at exactly ${demo.url}/`)
  }
  if (!(await exists(path.join(PKG_DIR, 'browser', 'index.js')))) {
    console.log('  warning: pkg/browser/index.js is missing — run `npm run build` first')
  }
  console.log('  Ctrl-C to stop')
}

async function exists (file) {
  try { await stat(file); return true } catch { return false }
}

if (isMain()) await cli()
