// mock-coze: the JWT grant (protocol file §4.4, §6) on the token endpoint and on the account
// (E6) and enterprise (E7) token paths. Node built-ins only. Contract: ./README.md.
//
// The JWT in `Authorization: Bearer <jwt>` is checked as Coze would: RS256 only, `kid` of a
// registered public key, signature verified with node:crypto, `iss` (the key's app id when one
// was registered), `aud` (this server's host), `exp` in the future, `iat` not in the future, and
// `jti` never seen before. Errors never echo the JWT.

import crypto from 'node:crypto'

export const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
export const ACCOUNT_TOKEN_RE = /^\/api\/permission\/oauth2\/account\/([^/]+)\/token$/
export const ENTERPRISE_TOKEN_RE = /^\/api\/permission\/oauth2\/enterprise_id\/([^/]+)\/token$/
export const MAX_DURATION_SECONDS = 86399
/** Clock skew tolerated on `iat`, seconds. */
const IAT_LEEWAY_S = 60

class JwtFailure extends Error {
  constructor(status, errorCode, message) {
    super(message)
    this.status = status
    this.errorCode = errorCode
    this.oauthFailure = true // server.mjs answers it as { error_code, error_message }
  }
}
const badJwt = (msg) => new JwtFailure(401, 'invalid_client', msg)
const badRequest = (msg) => new JwtFailure(400, 'invalid_request', msg)

const nowSeconds = () => Math.floor(Date.now() / 1000)

function decodeJson(part, what) {
  let value
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    throw badJwt(`invalid jwt: the ${what} is not base64url JSON`)
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badJwt(`invalid jwt: the ${what} is not a JSON object`)
  return value
}

/**
 * Adds the JWT state and API to a MockCoze instance:
 *   registerJwtKey(kid, publicKeyPem, { appId }?)  accept JWTs signed by this key (appId: required iss)
 *   jwtHits                   JWT grant requests received (any outcome)
 *   jwtRequests               every one: { path, account_id, enterprise_id, header, claims, body, status }
 *   failJwt({ times, status, error_code, error_message })  the next `times` JWT grants fail after
 *                             their checks (default 1, 500, 'internal_error'); no token, jti burnt
 */
export function installJwt(mock) {
  const keys = new Map() // kid -> { key: KeyObject, appId }
  const usedJti = new Set()
  let failures = []
  mock.jwtHits = 0
  mock.jwtRequests = []
  // Seconds this Coze's clock is ahead of the machine's (negative: behind): the tokens'
  // absolute expires_in and the Date header say so (server.mjs). The assertion's iat and exp
  // are still checked against the machine's clock: a client cannot change what a skewed Coze
  // would refuse, and it is the token's freshness that depends on the skew.
  mock.clockOffsetSeconds = 0
  mock.registerJwtKey = (kid, publicKeyPem, { appId } = {}) => {
    if (typeof kid !== 'string' || kid === '') throw new Error('kid must be a non-empty string')
    keys.set(kid, { key: crypto.createPublicKey(publicKeyPem), appId: appId ?? null })
  }
  mock.failJwt = ({ times = 1, status = 500, error_code = 'internal_error', error_message = 'mock failJwt: the JWT grant failed' } = {}) => {
    if (!(times === Infinity || (Number.isInteger(times) && times > 0))) throw new Error('times must be a positive integer or Infinity')
    failures.push({ times, status, error_code, error_message })
  }
  mock.jwt = { keys, usedJti, takeFailure() {
    const f = failures[0]
    if (!f) return null
    if (f.times !== Infinity && --f.times <= 0) failures.shift()
    return f
  }, reset() {
    usedJti.clear()
    failures = []
    mock.clockOffsetSeconds = 0
    mock.jwtHits = 0
    mock.jwtRequests.length = 0
  } }
}

/** Clears hits, recorded JWT requests, used jti and pending failures (registered keys stay). */
export function resetJwt(mock) {
  mock.jwt.reset()
}

/** Checks the assertion and returns { header, claims }; throws JwtFailure. */
function verifyAssertion(mock, authorization) {
  const m = /^Bearer (\S+)$/.exec(authorization ?? '')
  if (!m) throw badJwt('verify jwt empty error')
  const parts = m[1].split('.')
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) throw badJwt('invalid jwt: not three base64url parts')
  const header = decodeJson(parts[0], 'header')
  const claims = decodeJson(parts[1], 'claims')
  if (header.alg !== 'RS256') throw badJwt('invalid jwt: alg must be RS256')
  if (header.typ !== 'JWT') throw badJwt('invalid jwt: typ must be JWT')
  const entry = typeof header.kid === 'string' ? mock.jwt.keys.get(header.kid) : undefined
  if (!entry) throw badJwt('invalid jwt: kid not been registred')
  const signature = Buffer.from(parts[2], 'base64url')
  const ok = crypto.verify('RSA-SHA256', Buffer.from(parts[0] + '.' + parts[1], 'ascii'), entry.key, signature)
  if (!ok) throw badJwt('invalid jwt: signature verification failed')
  const now = nowSeconds()
  if (typeof claims.iss !== 'string' || claims.iss === '') throw badJwt('invalid jwt: iss is required')
  if (entry.appId !== null && claims.iss !== entry.appId) throw badJwt('invalid jwt: iss does not own this kid')
  if (claims.aud !== new URL(mock.url).host) throw badJwt('invalid jwt: aud is not this server')
  if (!Number.isInteger(claims.iat) || claims.iat > now + IAT_LEEWAY_S) throw badJwt('invalid jwt: iat is missing or in the future')
  if (!Number.isInteger(claims.exp) || claims.exp <= now) throw badJwt('invalid jwt: expired')
  if (typeof claims.jti !== 'string' || claims.jti.length < 16) throw badJwt('invalid jwt: jti must be a string of at least 16 characters')
  if (mock.jwt.usedJti.has(claims.jti)) throw badJwt('invalid jwt: jti already used')
  mock.jwt.usedJti.add(claims.jti)
  if (claims.session_name !== undefined && typeof claims.session_name !== 'string') throw badJwt('invalid jwt: session_name must be a string')
  if (claims.session_context !== undefined && (typeof claims.session_context !== 'object' || claims.session_context === null || Array.isArray(claims.session_context))) throw badJwt('invalid jwt: session_context must be an object')
  return { header, claims }
}

/**
 * The JWT grant. `ctx` is the request context of server.mjs; `where` says which path it came on:
 * {} for the token endpoint, { account_id } or { enterprise_id }.
 */
export function jwtGrant(mock, body, ctx, where = {}) {
  mock.jwtHits++
  const record = { path: ctx.path, account_id: where.account_id ?? null, enterprise_id: where.enterprise_id ?? null, header: null, claims: null, body, status: null }
  mock.jwtRequests.push(record)
  try {
    const { header, claims } = verifyAssertion(mock, ctx.req.headers.authorization)
    record.header = header
    record.claims = claims
    const d = body.duration_seconds
    if (!Number.isInteger(d) || d < 1 || d > MAX_DURATION_SECONDS) throw badRequest(`duration_seconds must be an integer from 1 to ${MAX_DURATION_SECONDS}`)
    if (body.scope !== undefined && body.scope !== null && (typeof body.scope !== 'object' || Array.isArray(body.scope))) throw badRequest('scope must be an object')
    const failure = mock.jwt.takeFailure()
    if (failure) throw new JwtFailure(failure.status, failure.error_code, failure.error_message)
    const token = { access_token: 'czs_mock_jwt_' + crypto.randomBytes(32).toString('base64url'), expires_in: nowSeconds() + mock.clockOffsetSeconds + d, token_type: 'Bearer' }
    mock.issued.push({ ...token, refresh_token: null, client_id: claims.iss, grant_type: JWT_GRANT, account_id: record.account_id, enterprise_id: record.enterprise_id, session_name: claims.session_name ?? null, scope: body.scope ?? null })
    record.status = 200
    return token
  } catch (e) {
    if (e instanceof JwtFailure) record.status = e.status
    throw e
  }
}

/**
 * Routes for E6 and E7. `handleToken(ctx, where)` is server.mjs's token endpoint handler; these
 * paths accept only the JWT grant.
 */
export function jwtRoutes(handleToken) {
  const route = (re, name) => ({
    methods: ['POST'],
    match: (p) => { const m = re.exec(p); return m ? [{ [name]: decodeURIComponent(m[1]), jwtOnly: true }] : null },
    handle: handleToken,
  })
  return [route(ACCOUNT_TOKEN_RE, 'account_id'), route(ENTERPRISE_TOKEN_RE, 'enterprise_id')]
}
