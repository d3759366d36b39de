#!/usr/bin/env node
// mock-coze: a local Coze OAuth server for tests and the demo. Node built-ins only.
// Contract: ./README.md. Wire protocol: docs/protocol.md at the repository root (§1-§5, §8, §10).
//
// Layout (designed for extension):
//   ROUTES          method + path pattern -> handler. The device flow's come from ./device.mjs.
//   GRANT_HANDLERS  grant_type -> handler for POST /api/permission/oauth2/token. The device_code
//                   grant lives in ./device.mjs (mock.device), and may throw a GrantAnswer.
//   FAULTS          name -> behaviour; selected per request by path via setFault(name, {times, path}).
//                   A fault answers instead of the endpoint (after the route's method check).

import http from 'node:http'
import crypto from 'node:crypto'
import zlib from 'node:zlib'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { DEVICE_CODE_PATH, DEVICE_GRANT_TYPE, DeviceFlow, GrantAnswer, deviceRoutes } from './device.mjs'
export { DEVICE_CODE_PATH, DEVICE_GRANT_TYPE, DEVICE_VERIFICATION_PATH, DEFAULT_DEVICE_SCRIPT } from './device.mjs'
import { JWT_GRANT, installJwt, resetJwt, jwtGrant, jwtRoutes } from './jwt.mjs'
import { installClients, isConfidential, checkClientAuth } from './web.mjs'

export const TOKEN_PATH = '/api/permission/oauth2/token'
export const AUTHORIZE_PATH = '/api/permission/oauth2/authorize'
export const CONSENT_PATH = '/api/permission/oauth2/consent'
/** Where the `redirect` fault points. It answers a valid token to anything: a client that follows is wrong. */
export const REDIRECT_TARGET_PATH = '/api/permission/oauth2/redirected_token'
/** An OpenAPI call that needs a valid access token (handleUsersMe). */
export const USERS_ME_PATH = '/v1/users/me'

const WORKSPACE_AUTHORIZE_RE = /^\/api\/permission\/oauth2\/workspace_id\/([^/]+)\/authorize$/
const MAX_BODY_BYTES = 1 << 20
const DEFAULT_CODE_TTL_MS = 5 * 60 * 1000
const DEFAULT_TOKEN_TTL_S = 900

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'x-tt-logid',
}
const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type, authorization, x-coze-client-user-agent, x-tt-logid',
  'access-control-max-age': '600',
}

/** Fault behaviours: each answers instead of the endpoint and consumes nothing (no code, no refresh token). */
const FAULTS = {
  invalid_json: { run: (ctx) => ctx.send(200, '{not json', 'application/json') },
  html_502: {
    run: (ctx) => ctx.send(502, '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>', 'text/html; charset=utf-8'),
  },
  error_200: {
    run: (ctx) => ctx.json(200, { error_code: 'invalid_grant', error_message: 'mock fault error_200: the grant is invalid' }),
  },
  error_field_400: {
    run: (ctx) => ctx.json(400, { error: 'invalid_grant', error_description: 'mock fault error_field_400: the grant is invalid' }),
  },
  no_access_token: {
    run: (ctx) => {
      const { access_token, ...rest } = ctx.mock.mintToken(ctx.bodyClientId(), 'fault:no_access_token')
      void access_token
      ctx.json(200, rest)
    },
  },
  // A valid (registered, refreshable) token without token_type, whatever the request held.
  no_token_type: {
    run: (ctx) => {
      const { token_type, ...rest } = ctx.mock.mintToken(ctx.bodyClientId(), 'fault:no_token_type')
      void token_type
      ctx.json(200, rest)
    },
  },
  http_500_empty: { run: (ctx) => ctx.send(500, '', null) },
  redirect: {
    run: (ctx) => ctx.send(302, '', null, { location: ctx.mock.url + REDIRECT_TARGET_PATH }),
  },
  reset: {
    run: (ctx) => {
      const s = ctx.req.socket
      if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy()
      else s.destroy()
    },
  },
  hang: { run: () => { /* never answer; close() destroys the socket */ } },
  slow_body: {
    run: (ctx) => {
      ctx.res.writeHead(200, ctx.headers({ 'content-type': 'application/json' }))
      ctx.res.flushHeaders()
      ctx.res.write('{"access_token":"czs_mock_at_') // never ends
    },
  },
  // The faults below answer in the shape of the endpoint they hit: a device code on the device
  // code path, a token anywhere else (validAnswer).
  /** A valid answer, one byte every DRIP_MS: slow, but complete well within a 5 s timeout. */
  drip: {
    run: (ctx) => {
      const bytes = Buffer.from(JSON.stringify(validAnswer(ctx, 'fault:drip')))
      ctx.res.writeHead(200, ctx.headers({ 'content-type': 'application/json', 'content-length': bytes.length }))
      ctx.res.flushHeaders()
      let i = 0
      const timer = setInterval(() => {
        if (ctx.res.destroyed || i >= bytes.length) {
          clearInterval(timer)
          if (!ctx.res.destroyed) ctx.res.end()
          return
        }
        ctx.res.write(bytes.subarray(i, ++i))
      }, DRIP_MS)
      ctx.res.on('close', () => clearInterval(timer))
    },
  },
  /** 10 MB of JSON (a token with a 10 MB padding field), streamed; the client must stop reading. */
  huge_body: { run: (ctx) => sendHuge(ctx, 'fault:huge_body', true) },
  /** The same 10 MB without `Content-Length` (chunked): only counting the bytes read stops it. */
  huge_body_chunked: { run: (ctx) => sendHuge(ctx, 'fault:huge_body_chunked', false) },
  /** JSON that never ends, without `Content-Length`, as fast as the client reads: only counting the bytes read ends it. */
  endless_body: { run: (ctx) => sendEndless(ctx, 'fault:endless_body', false) },
  /**
   * `Content-Encoding: gzip` with the compressed length declared (about 10 KB), expanding to
   * 10 MB: the declared length is no bound, the bytes must be counted after decompression.
   */
  gzip_bomb: {
    run: (ctx) => {
      const head = Buffer.from(JSON.stringify(validAnswer(ctx, 'fault:gzip_bomb')).replace(/\}$/, ',"padding":"'))
      const bytes = zlib.gzipSync(Buffer.concat([head, Buffer.alloc(HUGE_BODY_BYTES, 'a'), Buffer.from('"}')]))
      ctx.res.writeHead(200, ctx.headers({ 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bytes.length }))
      ctx.res.on('error', () => {})
      ctx.res.end(bytes)
    },
  },
  /** A gzip stream that never ends (chunked), expanding about 1000 times: a few KB on the wire pass 1 MiB. */
  gzip_endless: { run: (ctx) => sendEndless(ctx, 'fault:gzip_endless', true) },
  /** HTTP 200 with only `{error_message}`: an error all the same. */
  error_message_only: {
    run: (ctx) => ctx.json(200, { error_message: 'mock fault error_message_only: the request was refused' }),
  },
  /** HTTP 400 with Coze's `param` beside the error. */
  error_param: {
    run: (ctx) => ctx.json(400, { error_code: 'invalid_request', error_message: 'mock fault error_param: a parameter is invalid', param: 'redirect_uri' }),
  },
  /** A token whose access_token holds bytes that are not UTF-8. */
  invalid_utf8: {
    run: (ctx) => {
      const text = JSON.stringify(validAnswer(ctx, 'fault:invalid_utf8'))
      const at = text.indexOf('"', text.indexOf(':') + 1) + 1
      sendBytes(ctx, 200, Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(text.slice(at))]))
    },
  },
  /** The first field twice, with different values: which one is meant is unknowable. */
  duplicate_keys: {
    run: (ctx) => {
      const text = JSON.stringify(validAnswer(ctx, 'fault:duplicate_keys'))
      const [key, value] = Object.entries(JSON.parse(text))[0]
      sendBytes(ctx, 200, Buffer.from(`{${JSON.stringify(key)}:${JSON.stringify(typeof value === 'string' ? value + 'x' : value)},${text.slice(1)}`))
    },
  },
  /** A valid answer with every number as a numeric string ("1735689600", "5"). */
  numbers_as_strings: {
    run: (ctx) => {
      const answer = validAnswer(ctx, 'fault:numbers_as_strings')
      for (const [k, v] of Object.entries(answer)) if (typeof v === 'number') answer[k] = String(v)
      ctx.json(200, answer)
    },
  },
  /** A valid token with only expires_in as a string. */
  expires_in_string: {
    run: (ctx) => {
      const answer = validAnswer(ctx, 'fault:expires_in_string')
      answer.expires_in = String(answer.expires_in)
      ctx.json(200, answer)
    },
  },
  /** A valid answer without its key field: access_token, or a device code's user_code. */
  missing_field: {
    run: (ctx) => {
      const answer = validAnswer(ctx, 'fault:missing_field')
      delete answer[ctx.path === DEVICE_CODE_PATH ? 'user_code' : 'access_token']
      ctx.json(200, answer)
    },
  },
}

/** Byte interval of the `drip` fault, and the size of the `huge_body` one. */
const DRIP_MS = 4
const HUGE_BODY_BYTES = 10 * 1024 * 1024

/** A fresh valid answer for the endpoint a fault hit: a device code, else a registered token. */
function validAnswer(ctx, grant) {
  if (ctx.path === DEVICE_CODE_PATH) {
    return { device_code: 'czs_mock_dc_' + rand(24), user_code: 'ABCD-EFGH', verification_uri: ctx.mock.url + '/device', expires_in: 600, interval: 5 }
  }
  return ctx.mock.mintToken(ctx.bodyClientId(), grant)
}

/** A valid answer with a HUGE_BODY_BYTES padding field, written as fast as the client reads. */
function sendHuge(ctx, grant, declareLength) {
  const head = Buffer.from(JSON.stringify(validAnswer(ctx, grant)).replace(/\}$/, ',"padding":"'))
  const chunk = Buffer.alloc(64 * 1024, 'a')
  const chunks = Math.ceil(HUGE_BODY_BYTES / chunk.length)
  const length = declareLength ? { 'content-length': head.length + chunks * chunk.length + 2 } : {}
  ctx.res.writeHead(200, ctx.headers({ 'content-type': 'application/json', ...length }))
  ctx.res.on('error', () => {}) // the client hangs up early: expected
  ctx.res.write(head)
  let sent = 0
  const more = () => {
    while (sent < chunks && !ctx.res.destroyed) {
      sent++
      if (!ctx.res.write(chunk)) return ctx.res.once('drain', more)
    }
    if (!ctx.res.destroyed) ctx.res.end('"}')
  }
  more()
}

/** A valid answer's start, then padding forever (gzip-compressed with `gzip`), as fast as the client reads. */
function sendEndless(ctx, grant, gzip) {
  const head = Buffer.from(JSON.stringify(validAnswer(ctx, grant)).replace(/\}$/, ',"padding":"'))
  ctx.res.writeHead(200, ctx.headers({ 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) }))
  ctx.res.on('error', () => {}) // the client hangs up: expected
  let stopped = false
  const out = gzip ? zlib.createGzip() : ctx.res
  if (gzip) {
    out.on('error', () => {})
    out.pipe(ctx.res)
  }
  ctx.res.on('close', () => {
    stopped = true
    if (gzip) out.destroy()
  })
  const chunk = Buffer.alloc(64 * 1024, 'a')
  out.write(head)
  const more = () => {
    while (!stopped) if (!out.write(chunk)) return out.once('drain', more)
  }
  more()
}

function sendBytes(ctx, status, bytes) {
  ctx.res.writeHead(status, ctx.headers({ 'content-type': 'application/json', 'content-length': bytes.length }))
  ctx.res.end(bytes)
}
export const FAULT_NAMES = Object.freeze(Object.keys(FAULTS))

/**
 * Every secret that crossed this process's mocks (tokens and codes issued, verifiers, client
 * secrets and JWTs received, states sent back): tests/package/node/hygiene.mjs checks that no error
 * message, rendering or logger line of the package contains one.
 */
const SEEN_SECRETS = new Set()
const SECRET_FIELDS = ['access_token', 'refresh_token', 'device_code', 'code', 'code_verifier', 'client_secret', 'state']
export const seenSecrets = () => [...SEEN_SECRETS]
function noteSecret(value) {
  if (typeof value === 'string' && value.length >= 8) SEEN_SECRETS.add(value)
}
/** Notes the secret fields of a JSON text (a request or response body), if it is one. */
function noteSecretsIn(text) {
  let obj
  try { obj = JSON.parse(text) } catch { return }
  if (obj && typeof obj === 'object') for (const k of SECRET_FIELDS) noteSecret(obj[k])
}

const rand = (bytes) => crypto.randomBytes(bytes).toString('base64url')
const newLogId = () => crypto.randomBytes(16).toString('hex')
const b64urlSha256 = (s) => crypto.createHash('sha256').update(s, 'ascii').digest('base64url')
const nowSeconds = () => Math.floor(Date.now() / 1000)
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])

function safeEqual(a, b) {
  const ab = Buffer.from(String(a))
  const bb = Buffer.from(String(b))
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb)
}

/** Query string -> object; a repeated key becomes an array. */
function queryObject(searchParams) {
  const out = {}
  for (const [k, v] of searchParams) {
    if (!Object.hasOwn(out, k)) out[k] = v
    else if (Array.isArray(out[k])) out[k].push(v)
    else out[k] = [out[k], v]
  }
  return out
}

class OAuthFailure extends Error {
  constructor(status, errorCode, message) {
    super(message)
    this.status = status
    this.errorCode = errorCode
  }
}
const invalidRequest = (msg) => new OAuthFailure(400, 'invalid_request', msg)
const invalidGrant = (msg) => new OAuthFailure(400, 'invalid_grant', msg)

// ---------------------------------------------------------------------------------------------
// Grant handlers: (mock, body) -> token object. Throw OAuthFailure to answer an OAuth error.
// Messages never echo codes, verifiers or tokens.
// ---------------------------------------------------------------------------------------------
const GRANT_HANDLERS = {
  authorization_code(mock, body) {
    const { client_id, code, redirect_uri, code_verifier } = body
    requireStrings(body, ['client_id', 'code', 'redirect_uri'])
    const entry = mock.codes.get(code)
    if (!entry) throw invalidGrant('invalid authorization code')
    if (entry.used) throw invalidGrant('authorization code already used')
    entry.used = true // single use, even when the rest of the checks fail
    if (Date.now() > entry.expiresAt) throw invalidGrant('authorization code expired')
    if (entry.client_id !== client_id) throw invalidGrant('client_id does not match the authorization code')
    if (entry.redirect_uri !== redirect_uri) throw invalidGrant('redirect_uri does not match the authorization request')
    if (entry.code_challenge != null) { // a web app's authorization may have no PKCE (web.mjs)
      if (typeof code_verifier !== 'string' || code_verifier === '') throw invalidGrant('code_verifier is required')
      const expected = entry.code_challenge_method === 'S256' ? b64urlSha256(code_verifier) : code_verifier
      if (!safeEqual(expected, entry.code_challenge)) throw invalidGrant('code_verifier does not match the code_challenge')
    }
    return mock.mintToken(client_id, 'authorization_code', { workspace_id: entry.workspace_id })
  },
  refresh_token(mock, body) {
    const { client_id, refresh_token } = body
    requireStrings(body, ['client_id', 'refresh_token'])
    const entry = mock.refreshTokens.get(refresh_token)
    if (!entry) throw invalidGrant('invalid refresh token')
    if (!entry.active) throw invalidGrant('refresh token already used')
    if (entry.client_id !== client_id) throw invalidGrant('client_id does not match the refresh token')
    entry.active = false // rotation: the old one stops working
    return mock.mintToken(client_id, 'refresh_token', { workspace_id: entry.workspace_id })
  },
  [DEVICE_GRANT_TYPE]: (mock, body) => mock.device.poll(body),
  [JWT_GRANT]: jwtGrant, // jwt.mjs (issue 4)
}

function requireStrings(body, names) {
  for (const n of names) {
    if (typeof body[n] !== 'string' || body[n] === '') throw invalidRequest(`${n} is required`)
  }
}

// ---------------------------------------------------------------------------------------------
// Endpoint handlers: (ctx) -> void. ctx is built per request in MockCoze.#handle.
// ---------------------------------------------------------------------------------------------
function handleAuthorize(ctx, workspaceId) {
  const q = ctx.url.searchParams
  const problems = []
  const one = (name) => {
    const all = q.getAll(name)
    if (all.length > 1) problems.push(`${name} is repeated`)
    return all.length ? all[0] : undefined
  }
  const response_type = one('response_type')
  const client_id = one('client_id')
  const redirect_uri = one('redirect_uri')
  const state = one('state')
  const code_challenge = one('code_challenge')
  const code_challenge_method = one('code_challenge_method')
  if (response_type !== 'code') problems.push('response_type must be code')
  if (!client_id) problems.push('client_id is required')
  if (!redirect_uri) problems.push('redirect_uri is required')
  else {
    let ok = false
    try { ok = /^https?:$/.test(new URL(redirect_uri).protocol) } catch { ok = false }
    if (!ok) problems.push('redirect_uri must be an absolute http(s) URL')
  }
  if (!state) problems.push('state is required')
  // A web app (web.mjs) may leave PKCE out: it authenticates with its secret at the token endpoint.
  const noPkce = isConfidential(ctx.mock, client_id) && code_challenge === undefined && code_challenge_method === undefined
  if (!noPkce) {
    if (code_challenge_method !== 'S256' && code_challenge_method !== 'plain') problems.push('code_challenge_method must be S256 or plain')
    if (!code_challenge) problems.push('code_challenge is required')
    else if (code_challenge_method === 'S256' && !/^[A-Za-z0-9_-]{43}$/.test(code_challenge)) problems.push('code_challenge is not a base64url SHA-256')
    else if (code_challenge_method === 'plain' && !/^[A-Za-z0-9._~-]{1,128}$/.test(code_challenge)) problems.push('code_challenge has invalid characters')
  }
  if (workspaceId !== undefined && !/^[A-Za-z0-9_-]+$/.test(workspaceId)) problems.push('workspace_id is malformed')
  if (problems.length) return ctx.html(400, page('Invalid authorization request', `<ul id="errors">${problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`))

  const key = rand(18)
  ctx.mock.pending.set(key, { client_id, redirect_uri, state, code_challenge, code_challenge_method, workspace_id: workspaceId ?? null, createdAt: Date.now() })
  const link = (decision) => escapeHtml(`${CONSENT_PATH}?authorize_key=${encodeURIComponent(key)}&decision=${decision}`)
  ctx.html(200, page('Authorize app', `
<p>The app <code id="client-id">${escapeHtml(client_id)}</code> asks for access to your Coze account${workspaceId !== undefined ? ` in workspace <code id="workspace-id">${escapeHtml(workspaceId)}</code>` : ''}.</p>
<p>You will be sent back to <code id="redirect-uri">${escapeHtml(redirect_uri)}</code>.</p>
<p class="actions"><a id="authorize" href="${link('allow')}">Authorize</a> <a id="deny" href="${link('deny')}">Deny</a></p>`))
}

function handleConsent(ctx) {
  const key = ctx.url.searchParams.get('authorize_key') ?? ''
  const decision = ctx.url.searchParams.get('decision')
  if (decision !== 'allow' && decision !== 'deny') return ctx.html(400, page('Invalid consent', '<p>decision must be allow or deny</p>'))
  const p = ctx.mock.pending.get(key)
  if (!p || Date.now() - p.createdAt > ctx.mock.codeTtlMs) return ctx.html(400, page('Invalid consent', '<p>unknown or expired authorization request</p>'))
  ctx.mock.pending.delete(key) // one decision per authorization request
  const target = new URL(p.redirect_uri)
  if (decision === 'allow') {
    const code = 'czs_mock_code_' + rand(24)
    ctx.mock.codes.set(code, { ...p, expiresAt: Date.now() + ctx.mock.codeTtlMs, used: false })
    target.searchParams.append('code', code)
  } else {
    target.searchParams.append('error', 'access_denied')
    target.searchParams.append('error_description', 'The user denied the authorization request')
  }
  target.searchParams.append('state', p.state)
  ctx.send(302, '', null, { location: target.href })
}

/** `where`: {} on the token endpoint; { account_id | enterprise_id, jwtOnly } on E6/E7 (jwt.mjs). */
function handleToken(ctx, where = {}) {
  try {
    const ct = String(ctx.req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
    if (ct !== 'application/json') throw invalidRequest('Content-Type must be application/json')
    let body
    try { body = JSON.parse(ctx.body) } catch { throw invalidRequest('body is not valid JSON') }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('body must be a JSON object')
    if (typeof body.grant_type !== 'string' || body.grant_type === '') throw invalidRequest('grant_type is required')
    const grant = Object.hasOwn(GRANT_HANDLERS, body.grant_type) ? GRANT_HANDLERS[body.grant_type] : null
    if (!grant || (where.jwtOnly && body.grant_type !== JWT_GRANT)) throw new OAuthFailure(400, 'unsupported_grant_type', 'unsupported grant_type')
    if (body.grant_type === 'authorization_code' || body.grant_type === 'refresh_token') checkClientAuth(ctx.mock, body, ctx)
    ctx.json(200, grant(ctx.mock, body, ctx, where))
  } catch (e) {
    if (e instanceof GrantAnswer) return ctx.send(e.status, JSON.stringify(e.body), 'application/json; charset=utf-8', e.headers)
    if (!(e instanceof OAuthFailure) && !e?.oauthFailure) throw e // jwt.mjs and web.mjs mark theirs
    ctx.json(e.status, { error_code: e.errorCode, error_message: e.message })
  }
}

/**
 * `GET /v1/users/me`, an OpenAPI call (what `@coze/api`'s `users.me()` sends): answers only a
 * `Bearer` access token this mock issued that has not expired, in the OpenAPI envelope
 * `{ code, msg, data }`. The user is named after the token's client, so a test sees whose it was.
 */
function handleUsersMe(ctx) {
  const bearer = /^Bearer (.+)$/i.exec(ctx.req.headers.authorization ?? '')?.[1]
  const token = bearer === undefined ? undefined : ctx.mock.issued.find((t) => t.access_token === bearer)
  if (!token) return ctx.json(401, { code: 4100, msg: 'authentication is invalid: unknown access token' })
  if (token.expires_in <= nowSeconds() + ctx.mock.clockOffsetSeconds) return ctx.json(401, { code: 4100, msg: 'authentication is invalid: the access token has expired' })
  const user = `mock-user-${token.client_id}`
  ctx.json(200, { code: 0, msg: '', data: { user_id: user, user_name: user, nick_name: `Mock user of ${token.client_id}`, avatar_url: '' } })
}

function handleRedirectTarget(ctx) {
  ctx.json(200, ctx.mock.mintToken(ctx.bodyClientId(), 'fault:redirect_followed'))
}

/**
 * Routes. `match` gets the pathname and returns null (no match) or an argument list for `handle`.
 * `methods` (optional) are checked first (405 otherwise); then a pending fault for the path, if any,
 * answers instead of `handle`.
 */
const GET = ['GET', 'HEAD']
const ROUTES = [
  { methods: GET, match: (p) => (p === AUTHORIZE_PATH ? [] : null), handle: handleAuthorize },
  { methods: GET, match: (p) => { const m = WORKSPACE_AUTHORIZE_RE.exec(p); return m ? [decodeURIComponent(m[1])] : null }, handle: handleAuthorize },
  { methods: GET, match: (p) => (p === CONSENT_PATH ? [] : null), handle: handleConsent },
  { methods: ['POST'], match: (p) => (p === TOKEN_PATH ? [] : null), handle: handleToken },
  ...jwtRoutes(handleToken), // E6, E7 (jwt.mjs)
  { match: (p) => (p === REDIRECT_TARGET_PATH ? [] : null), handle: handleRedirectTarget },
  { methods: GET, match: (p) => (p === USERS_ME_PATH ? [] : null), handle: handleUsersMe },
  ...deviceRoutes({ page, escapeHtml }),
]

/** The mock's pages: plain, but laid out like a consent page, so the demo looks finished. */
const PAGE_STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1d2129; margin: 0; }
main { max-width: 34rem; margin: 4rem auto; background: #fff; border-radius: 12px; padding: 2rem 2.5rem;
  box-shadow: 0 2px 12px rgba(0, 0, 0, .08); }
h1 { font-size: 1.4rem; margin-top: 0; }
.eyebrow { color: #86909c; font-size: .8rem; text-transform: uppercase; letter-spacing: .06em; margin: 0 0 .5rem; }
code { background: #f2f3f5; border-radius: 4px; padding: 0 .3em; }
.actions a { display: inline-block; padding: .55rem 1.3rem; border-radius: 8px; text-decoration: none;
  font-weight: 600; margin-right: .6rem; }
#authorize { background: #4d53e8; color: #fff; }
#deny { background: #f2f3f5; color: #1d2129; }`

function page(title, inner) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - mock Coze</title><style>${PAGE_STYLE}</style></head>
<body><main><p class="eyebrow">Mock Coze (local test server)</p><h1>${escapeHtml(title)}</h1>${inner}
</main></body></html>
`
}

// ---------------------------------------------------------------------------------------------

class MockCoze {
  /** @type {Array<{method:string,path:string,query:object,headers:object,body:string,logId?:string,status?:number,fault?:string}>} */
  requests = []
  /** @type {Array<{access_token:string,refresh_token:string,expires_in:number,client_id:string|null,grant_type:string}>} */
  issued = []
  /** pending authorizations, keyed by authorize_key */
  pending = new Map()
  /** code -> { client_id, redirect_uri, state, code_challenge, code_challenge_method, workspace_id, expiresAt, used } */
  codes = new Map()
  /** refresh token -> { client_id, active, workspace_id } */
  refreshTokens = new Map()
  /** the device code flow: state, script, handlers (./device.mjs) */
  device = new DeviceFlow(this)
  url = ''
  port = 0
  #faults = []
  #sockets = new Set()
  #server
  #closed = null

  constructor(opts = {}) {
    this.codeTtlMs = opts.codeTtlMs ?? DEFAULT_CODE_TTL_MS
    this.tokenTtlSeconds = opts.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_S
    installJwt(this)
    installClients(this)
    this.#server = http.createServer((req, res) => this.#onRequest(req, res))
    this.#server.on('connection', (s) => {
      this.#sockets.add(s)
      s.on('close', () => this.#sockets.delete(s))
    })
  }

  async listen(port) {
    await new Promise((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(port, '127.0.0.1', () => { this.#server.off('error', reject); resolve() })
    })
    this.port = this.#server.address().port
    this.url = `http://127.0.0.1:${this.port}`
  }

  /**
   * Makes the next `times` answers on `path` (default the token endpoint) misbehave.
   * times: default 1; Infinity = sticky. path: exact pathname, RegExp, or '*' (every non-/__mock path).
   */
  setFault(name, { times = 1, path = TOKEN_PATH } = {}) {
    if (!Object.hasOwn(FAULTS, name)) throw new Error(`unknown fault ${JSON.stringify(name)}; known: ${FAULT_NAMES.join(', ')}`)
    if (!(times === Infinity || (Number.isInteger(times) && times > 0))) throw new Error('times must be a positive integer or Infinity')
    this.#faults.push({ name, times, path })
  }

  clearFaults() { this.#faults = [] }

  /** Device codes issued from now on follow `script` (./device.mjs, DEFAULT_DEVICE_SCRIPT). */
  setDeviceScript(script) { this.device.setScript(script) }

  /** Every device-code poll: { at, userCode, index, answer, status, gapMs, sinceIssuedMs, intervalMs, tooEarly }. */
  get devicePolls() { return this.device.polls }

  /** Plays the user on the verification page of a 'manual' device code: 'allow' or 'deny'. */
  deviceDecide(userCode, decision) { this.device.decide(userCode, decision) }

  /** Active faults (copies). */
  get faults() { return this.#faults.map((f) => ({ ...f })) }

  /** Clears faults, recorded requests, issued tokens, codes and pending authorizations. */
  reset() {
    this.clearFaults()
    this.requests.length = 0
    this.issued.length = 0
    this.pending.clear()
    this.codes.clear()
    this.refreshTokens.clear()
    this.device.reset()
    resetJwt(this)
  }

  /**
   * Test helper: plays the user on the consent page of `authorizeUrl` (over HTTP, so it is
   * recorded) and returns where Coze redirects: { location, code, state, error, errorDescription }.
   */
  async consent(authorizeUrl, { decision = 'allow' } = {}) {
    const pageRes = await fetch(authorizeUrl, { redirect: 'manual' })
    const html = await pageRes.text()
    if (pageRes.status !== 200) throw new Error(`authorize page answered ${pageRes.status}: ${html}`)
    const href = extractConsentHref(html, decision)
    const res = await fetch(new URL(href, authorizeUrl), { redirect: 'manual' })
    await res.arrayBuffer()
    const location = res.headers.get('location')
    if (res.status !== 302 || !location) throw new Error(`consent answered ${res.status}`)
    const u = new URL(location)
    return {
      location,
      code: u.searchParams.get('code'),
      state: u.searchParams.get('state'),
      error: u.searchParams.get('error'),
      errorDescription: u.searchParams.get('error_description'),
    }
  }

  /** Issues and registers a token. Used by grant handlers and token faults. */
  mintToken(clientId, grantType, extra = {}) {
    const token = {
      access_token: 'czs_mock_at_' + rand(32),
      refresh_token: 'czs_mock_rt_' + rand(32),
      expires_in: nowSeconds() + this.tokenTtlSeconds,
      token_type: 'Bearer',
    }
    noteSecret(token.access_token)
    noteSecret(token.refresh_token)
    this.refreshTokens.set(token.refresh_token, { client_id: clientId ?? null, active: true, workspace_id: extra.workspace_id ?? null })
    this.issued.push({ ...token, client_id: clientId ?? null, grant_type: grantType })
    return token
  }

  close() {
    if (!this.#closed) {
      this.#closed = new Promise((resolve) => {
        this.#server.close(() => resolve())
        for (const s of this.#sockets) s.destroy()
        this.#server.closeAllConnections?.()
      })
    }
    return this.#closed
  }

  #takeFault(path) {
    const i = this.#faults.findIndex((f) =>
      f.path === '*' || (f.path instanceof RegExp ? f.path.test(path) : f.path === path))
    if (i < 0) return null
    const f = this.#faults[i]
    if (f.times !== Infinity && --f.times <= 0) this.#faults.splice(i, 1)
    return FAULTS[f.name] && { name: f.name, ...FAULTS[f.name] }
  }

  #onRequest(req, res) {
    const chunks = []
    let size = 0
    let tooBig = false
    req.on('data', (c) => {
      size += c.length
      if (size > MAX_BODY_BYTES) tooBig = true
      else chunks.push(c)
    })
    req.on('error', () => {})
    req.on('end', () => {
      try {
        this.#handle(req, res, Buffer.concat(chunks).toString('utf8'), tooBig)
      } catch (e) {
        if (!res.headersSent) {
          res.writeHead(500, { ...CORS_HEADERS, 'x-tt-logid': newLogId(), 'content-type': 'application/json' })
          res.end(JSON.stringify({ code: 500, msg: 'mock-coze internal error: ' + e.message }))
        } else res.destroy()
      }
    })
  }

  #handle(req, res, body, tooBig) {
    const url = new URL(req.url, 'http://127.0.0.1')
    const path = url.pathname
    const isControl = path.startsWith('/__mock/')
    /** @type {any} */
    const record = isControl ? null : {
      method: req.method,
      path,
      query: queryObject(url.searchParams),
      headers: { ...req.headers },
      body,
    }
    if (record) this.requests.push(record)
    if (!isControl) {
      noteSecretsIn(body)
      noteSecret(/^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1])
      noteSecret(url.searchParams.get('state'))
    }
    const mock = this
    const ctx = {
      mock, req, res, url, body, path,
      headers(extra = {}) {
        const logId = newLogId()
        if (record) record.logId = logId
        // A skewed clock (jwt.mjs, clockOffsetSeconds) shows in Date too, as a real server's would.
        const date = mock.clockOffsetSeconds ? { date: new Date(Date.now() + mock.clockOffsetSeconds * 1000).toUTCString() } : {}
        return { ...CORS_HEADERS, 'x-tt-logid': logId, 'cache-control': 'no-store', ...date, ...extra }
      },
      send(status, text, contentType, extra = {}) {
        if (record) record.status = status
        noteSecretsIn(text)
        if (extra.location) for (const k of ['code', 'state']) noteSecret(new URL(extra.location, 'http://x').searchParams.get(k))
        const h = ctx.headers(extra)
        if (contentType) h['content-type'] = contentType
        h['content-length'] = Buffer.byteLength(text)
        res.writeHead(status, h)
        res.end(req.method === 'HEAD' ? undefined : text)
      },
      json(status, obj) { ctx.send(status, JSON.stringify(obj), 'application/json; charset=utf-8') },
      html(status, text) { ctx.send(status, text, 'text/html; charset=utf-8') },
      methodNotAllowed(allow) {
        ctx.send(405, JSON.stringify({ code: 4000, msg: `method ${req.method} not allowed` }), 'application/json; charset=utf-8', { allow })
      },
      /** client_id from a JSON body, or null; never throws. */
      bodyClientId() {
        try { const b = JSON.parse(body); return typeof b?.client_id === 'string' ? b.client_id : null } catch { return null }
      },
    }

    if (req.method === 'OPTIONS') {
      if (record) record.status = 204
      res.writeHead(204, ctx.headers(PREFLIGHT_HEADERS))
      return res.end()
    }
    if (tooBig) return ctx.json(413, { code: 4000, msg: 'request body too large' })
    if (isControl) return this.#handleControl(ctx)

    for (const r of ROUTES) {
      const args = r.match(path)
      if (!args) continue
      if (r.methods && !r.methods.includes(req.method)) return ctx.methodNotAllowed(r.methods.join(', '))
      const fault = this.#takeFault(path)
      if (fault) {
        record.fault = fault.name
        return fault.run(ctx)
      }
      return r.handle(ctx, ...args)
    }
    ctx.json(404, { code: 4200, msg: `no such path: ${path}` })
  }

  #handleControl(ctx) {
    const { req, path } = ctx
    const parse = () => { try { return JSON.parse(ctx.body || '{}') } catch { return null } }
    if (req.method === 'POST' && path === '/__mock/fault') {
      const b = parse()
      if (!b || typeof b.fault !== 'string') return ctx.json(400, { ok: false, error: 'body must be {"fault": name, "times"?: n, "path"?: p}' })
      const times = b.times == null ? 1 : (b.times === 'Infinity' || b.times === -1 || b.sticky) ? Infinity : b.times
      try {
        this.setFault(b.fault, { times, path: b.path ?? TOKEN_PATH })
      } catch (e) {
        return ctx.json(400, { ok: false, error: e.message })
      }
      return ctx.json(200, { ok: true })
    }
    if (req.method === 'POST' && path === '/__mock/clear-faults') { this.clearFaults(); return ctx.json(200, { ok: true }) }
    if (req.method === 'POST' && path === '/__mock/reset') { this.reset(); return ctx.json(200, { ok: true }) }
    if (req.method === 'GET' && path === '/__mock/requests') return ctx.json(200, this.requests)
    if (req.method === 'GET' && path === '/__mock/issued') return ctx.json(200, this.issued)
    if (path.startsWith('/__mock/device-') && this.device.handleControl(ctx)) return
    ctx.json(404, { ok: false, error: `no such control endpoint: ${req.method} ${path}` })
  }
}

/** Pulls the consent link (`#authorize` or `#deny`) out of the consent page, HTML-unescaped. */
export function extractConsentHref(html, decision = 'allow') {
  const id = decision === 'allow' ? 'authorize' : 'deny'
  const m = new RegExp(`<a id="${id}" href="([^"]*)"`).exec(html)
  if (!m) throw new Error(`no #${id} link in the consent page`)
  return m[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
}

/**
 * Starts a mock Coze on 127.0.0.1.
 * @param {{port?: number, codeTtlMs?: number, tokenTtlSeconds?: number}} [opts] port 0 (default) = any free port
 */
export async function startMockCoze(opts = {}) {
  const mock = new MockCoze(opts)
  await mock.listen(opts.port ?? 0)
  return mock
}

// CLI: node mock-coze/server.mjs --port 8081
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2)
  let port = 8081
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') port = Number(args[++i])
    else if (args[i].startsWith('--port=')) port = Number(args[i].slice(7))
    else if (args[i] === '--help' || args[i] === '-h') {
      console.log('usage: node mock-coze/server.mjs [--port N]   (default 8081; 0 = any free port)')
      process.exit(0)
    } else {
      console.error(`unknown argument: ${args[i]}`)
      process.exit(2)
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('--port must be an integer in 0..65535')
    process.exit(2)
  }
  const mock = await startMockCoze({ port })
  console.log(`mock-coze listening on ${mock.url}`)
  const stop = async () => {
    await mock.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
