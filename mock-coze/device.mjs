// mock-coze: the device code flow (protocol §4.3, §7; RFC 8628), scriptable per device code.
// server.mjs wires it in: DEVICE_ROUTES into ROUTES, the device grant into GRANT_HANDLERS,
// `mock.device` (a DeviceFlow) for state, and /__mock/device-* control endpoints.
// Contract: ./README.md ("Device code flow").

import crypto from 'node:crypto'

export const DEVICE_CODE_PATH = '/api/permission/oauth2/device/code'
export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code'
/** The verification page the mock hands out (a page on the www host on real Coze). */
export const DEVICE_VERIFICATION_PATH = '/api/permission/oauth2/device/activate'
const WORKSPACE_DEVICE_CODE_RE = /^\/api\/permission\/oauth2\/workspace_id\/([^/]+)\/device\/code$/
const SLOW_DOWN_STEP_S = 5

/** The script every device code follows unless setDeviceScript says otherwise. */
export const DEFAULT_DEVICE_SCRIPT = Object.freeze({
  pending: 0, // answers before the outcome that say "not yet" (authorization_pending or slow_down); Infinity = never
  slowDown: [], // 0-based poll indexes answered slow_down (counted in `pending`)
  throttle: [], // 0-based poll indexes answered 429 with Retry-After (not counted in `pending`)
  retryAfter: 1, // seconds, the Retry-After of throttled answers
  outcome: 'allow', // 'allow' | 'deny' | 'expire' | 'manual' (pending until deviceDecide or the page decides)
  encoding: 'error_code', // 'error_code' ({error_code, error_message}) | 'error' ({error, error_description}) | 'both'
  status: 400, // HTTP status of the error answers: 200 or 400
  interval: 5, // seconds; null leaves `interval` out of the answer
  expiresIn: 600, // seconds the device code lives (the mock enforces it: expired_token afterwards)
  expiresAbsolute: false, // send expires_in as an absolute Unix time instead of a lifetime
  verificationField: 'verification_uri', // or 'verification_url'
  enforceInterval: false, // answer slow_down (outside the script) to a poll sooner than the interval
  userCode: null, // a string: the user_code to send (any text, escape sequences included) instead of a random one
  verificationUri: null, // a string: the verification page URL to send instead of this server's
  errorMessage: null, // a string: the error_message / error_description of every error answer instead of the usual text
})
const OUTCOMES = ['allow', 'deny', 'expire', 'manual']
const ENCODINGS = ['error_code', 'error', 'both']

/** Thrown by the device grant to answer with any status and JSON body (server.mjs's handleToken sends it). */
export class GrantAnswer {
  constructor(status, body, headers = {}) {
    this.status = status
    this.body = body
    this.headers = headers
  }
}

const rand = (bytes) => crypto.randomBytes(bytes).toString('base64url')

/** A user code like Coze's: 8 characters without look-alikes, shown as XXXX-XXXX. */
function newUserCode() {
  const alphabet = 'BCDFGHJKLMNPQRSTVWXZ'
  const bytes = crypto.randomBytes(8)
  let code = ''
  for (let i = 0; i < 8; i++) code += alphabet[bytes[i] % alphabet.length] + (i === 3 ? '-' : '')
  return code
}

function checkIndexes(name, v) {
  if (!Array.isArray(v) || !v.every((i) => Number.isInteger(i) && i >= 0)) throw new Error(`${name} must be an array of poll indexes (integers >= 0)`)
}

/** Validates a partial script and returns the full one. Throws on an unknown key or a bad value. */
export function normalizeDeviceScript(script = {}) {
  if (!script || typeof script !== 'object') throw new Error('the device script must be an object')
  for (const k of Object.keys(script)) if (!Object.hasOwn(DEFAULT_DEVICE_SCRIPT, k)) throw new Error(`unknown device script key ${JSON.stringify(k)}; known: ${Object.keys(DEFAULT_DEVICE_SCRIPT).join(', ')}`)
  const s = { ...DEFAULT_DEVICE_SCRIPT, ...script }
  if (s.pending === 'Infinity' || s.pending === -1) s.pending = Infinity
  if (!(s.pending === Infinity || (Number.isInteger(s.pending) && s.pending >= 0))) throw new Error('pending must be an integer >= 0 or Infinity')
  checkIndexes('slowDown', s.slowDown)
  checkIndexes('throttle', s.throttle)
  if (!(Number.isInteger(s.retryAfter) && s.retryAfter >= 0)) throw new Error('retryAfter must be an integer >= 0')
  if (!OUTCOMES.includes(s.outcome)) throw new Error(`outcome must be one of ${OUTCOMES.join(', ')}`)
  if (!ENCODINGS.includes(s.encoding)) throw new Error(`encoding must be one of ${ENCODINGS.join(', ')}`)
  if (s.status !== 200 && s.status !== 400) throw new Error('status must be 200 or 400')
  if (!(s.interval === null || (Number.isInteger(s.interval) && s.interval >= 0))) throw new Error('interval must be an integer >= 0 or null')
  if (!(Number.isFinite(s.expiresIn) && s.expiresIn > 0)) throw new Error('expiresIn must be a positive number of seconds')
  if (s.verificationField !== 'verification_uri' && s.verificationField !== 'verification_url') throw new Error('verificationField must be verification_uri or verification_url')
  for (const k of ['userCode', 'verificationUri', 'errorMessage']) if (s[k] !== null && typeof s[k] !== 'string') throw new Error(`${k} must be a string or null`)
  return { ...s, slowDown: [...s.slowDown], throttle: [...s.throttle], expiresAbsolute: Boolean(s.expiresAbsolute), enforceInterval: Boolean(s.enforceInterval) }
}

function errorBody(encoding, code, message) {
  if (encoding === 'error') return { error: code, error_description: message }
  if (encoding === 'both') return { error_code: code, error: code, error_message: message }
  return { error_code: code, error_message: message }
}

const MESSAGES = {
  authorization_pending: 'the user has not authorized the device yet',
  slow_down: 'polling too fast',
  access_denied: 'the user denied the authorization request',
  expired_token: 'the device code has expired',
}

/** The device flow's state and handlers; one per MockCoze, as `mock.device`. */
export class DeviceFlow {
  /** device_code -> entry (see #issue) */
  codes = new Map()
  /** every poll of a known device code: { at, userCode, index, answer, status, gapMs, sinceIssuedMs, intervalMs, tooEarly } */
  polls = []
  #script = normalizeDeviceScript()

  constructor(mock) {
    this.mock = mock
  }

  /** Sets the script of the device codes issued from now on (a partial script; the rest is the default). */
  setScript(script) {
    this.#script = normalizeDeviceScript(script)
  }

  /** The script in force (a copy). */
  get script() { return { ...this.#script, slowDown: [...this.#script.slowDown], throttle: [...this.#script.throttle] } }

  reset() {
    this.codes.clear()
    this.polls.length = 0
    this.#script = normalizeDeviceScript()
  }

  /** Plays the user on the verification page for outcome 'manual': 'allow' or 'deny'. */
  decide(userCode, decision) {
    if (decision !== 'allow' && decision !== 'deny') throw new Error('decision must be allow or deny')
    const entry = [...this.codes.values()].find((e) => e.userCode === userCode)
    if (!entry) throw new Error('unknown user code')
    entry.decision = decision
  }

  /** POST /api/permission/oauth2/device/code and the workspace variant. */
  handleDeviceCode(ctx, workspaceId) {
    let body
    try { body = JSON.parse(ctx.body) } catch { body = null }
    if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.client_id !== 'string' || body.client_id === '') {
      return ctx.json(400, { error_code: 'invalid_request', error_message: 'client_id is required in a JSON body' })
    }
    if (workspaceId !== undefined && !/^[A-Za-z0-9_-]+$/.test(workspaceId)) {
      return ctx.json(400, { error_code: 'invalid_request', error_message: 'workspace_id is malformed' })
    }
    const s = this.#script
    const deviceCode = 'czs_mock_dc_' + rand(24)
    const userCode = s.userCode ?? newUserCode()
    const now = Date.now()
    const expiresAt = now + s.expiresIn * 1000
    this.codes.set(deviceCode, {
      clientId: body.client_id, userCode, workspaceId: workspaceId ?? null, script: s,
      issuedAt: now, expiresAt, intervalS: s.interval ?? 5, index: 0, notYet: 0,
      lastPollAt: null, decision: null, used: false,
    })
    const answer = { device_code: deviceCode, user_code: userCode }
    answer[s.verificationField] = s.verificationUri ?? ctx.mock.url + DEVICE_VERIFICATION_PATH
    // A fractional expiresIn (fast tests) is enforced exactly but sent rounded up, as Coze sends integers.
    answer.expires_in = s.expiresAbsolute ? Math.ceil(expiresAt / 1000) : Math.ceil(s.expiresIn)
    if (s.interval !== null) answer.interval = s.interval
    ctx.json(200, answer)
  }

  /** GET the verification page: shows the user code with #authorize / #deny links (they decide 'manual' codes). */
  handleVerificationPage(ctx, page, escapeHtml) {
    const userCode = ctx.url.searchParams.get('user_code') ?? ''
    const decision = ctx.url.searchParams.get('decision')
    if (decision) {
      try { this.decide(userCode, decision) } catch (e) { return ctx.html(400, page('Invalid device authorization', `<p>${escapeHtml(e.message)}</p>`)) }
      return ctx.html(200, page(decision === 'allow' ? 'Device authorized' : 'Device denied', `<p id="decision">${decision}</p>`))
    }
    const link = (d) => escapeHtml(`${DEVICE_VERIFICATION_PATH}?user_code=${encodeURIComponent(userCode)}&decision=${d}`)
    ctx.html(200, page('Authorize a device', `
<p>User code: <code id="user-code">${escapeHtml(userCode)}</code></p>
<p><a id="authorize" href="${link('allow')}">Authorize</a> <a id="deny" href="${link('deny')}">Deny</a></p>`))
  }

  /** The device_code grant on the token endpoint: returns a token or throws a GrantAnswer. */
  poll(body) {
    const now = Date.now()
    const entry = typeof body.device_code === 'string' ? this.codes.get(body.device_code) : undefined
    const invalid = (code, message) => new GrantAnswer(400, { error_code: code, error_message: message })
    if (typeof body.client_id !== 'string' || body.client_id === '') throw invalid('invalid_request', 'client_id is required')
    if (!entry) throw invalid('invalid_grant', 'invalid device code')
    if (entry.clientId !== body.client_id) throw invalid('invalid_grant', 'client_id does not match the device code')
    const s = entry.script
    const gapMs = entry.lastPollAt === null ? null : now - entry.lastPollAt
    const sinceIssuedMs = now - entry.issuedAt
    const intervalMs = entry.intervalS * 1000
    const tooEarly = (gapMs ?? sinceIssuedMs) < intervalMs
    entry.lastPollAt = now
    const record = { at: now, userCode: entry.userCode, index: entry.index, answer: '', status: 0, gapMs, sinceIssuedMs, intervalMs, tooEarly }
    this.polls.push(record)
    const fail = (code, status = s.status, headers = {}) => {
      record.answer = code
      record.status = status
      return new GrantAnswer(status, errorBody(s.encoding, code, s.errorMessage ?? MESSAGES[code] ?? code), headers)
    }
    if (entry.used) { record.answer = 'invalid_grant'; record.status = 400; throw invalid('invalid_grant', 'device code already used') }
    if (now >= entry.expiresAt) throw fail('expired_token')
    if (s.enforceInterval && tooEarly) {
      entry.intervalS += SLOW_DOWN_STEP_S
      throw fail('slow_down')
    }
    const index = entry.index++
    if (s.throttle.includes(index)) {
      record.answer = 'throttled'
      record.status = 429
      throw new GrantAnswer(429, { code: 4013, msg: 'rate limited' }, { 'retry-after': String(s.retryAfter) })
    }
    if (s.slowDown.includes(index) && entry.notYet < s.pending) {
      entry.notYet++
      entry.intervalS += SLOW_DOWN_STEP_S
      throw fail('slow_down')
    }
    if (entry.notYet < s.pending) {
      entry.notYet++
      throw fail('authorization_pending')
    }
    const outcome = s.outcome === 'manual' ? entry.decision : s.outcome
    if (outcome === null) throw fail('authorization_pending')
    if (outcome === 'deny') throw fail('access_denied')
    if (outcome === 'expire') throw fail('expired_token')
    entry.used = true
    record.answer = 'token'
    record.status = 200
    return this.mock.mintToken(entry.clientId, DEVICE_GRANT_TYPE, { workspace_id: entry.workspaceId })
  }

  /** /__mock/device-* control endpoints; returns false when the path is not one. */
  handleControl(ctx) {
    const { req, path } = ctx
    if (req.method === 'POST' && path === '/__mock/device-script') {
      let script
      try { script = JSON.parse(ctx.body || '{}') } catch { return ctx.json(400, { ok: false, error: 'body must be a JSON device script' }), true }
      try { this.setScript(script) } catch (e) { return ctx.json(400, { ok: false, error: e.message }), true }
      return ctx.json(200, { ok: true }), true
    }
    if (req.method === 'GET' && path === '/__mock/device-polls') return ctx.json(200, this.polls), true
    if (req.method === 'POST' && path === '/__mock/device-decide') {
      let b
      try { b = JSON.parse(ctx.body || '{}') } catch { b = {} }
      try { this.decide(b.user_code, b.decision) } catch (e) { return ctx.json(400, { ok: false, error: e.message }), true }
      return ctx.json(200, { ok: true }), true
    }
    return false
  }
}

/** Routes for server.mjs's ROUTES table. `page` and `escapeHtml` come from server.mjs at call time. */
export function deviceRoutes({ page, escapeHtml }) {
  return [
    { methods: ['POST'], match: (p) => (p === DEVICE_CODE_PATH ? [] : null), handle: (ctx) => ctx.mock.device.handleDeviceCode(ctx) },
    { methods: ['POST'], match: (p) => { const m = WORKSPACE_DEVICE_CODE_RE.exec(p); return m ? [decodeURIComponent(m[1])] : null }, handle: (ctx, id) => ctx.mock.device.handleDeviceCode(ctx, id) },
    { methods: ['GET', 'HEAD'], match: (p) => (p === DEVICE_VERIFICATION_PATH ? [] : null), handle: (ctx) => ctx.mock.device.handleVerificationPage(ctx, page, escapeHtml) },
  ]
}
