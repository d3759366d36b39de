// mock-coze: confidential (web) clients (protocol file §4.1, §4.5). Node built-ins only.
// Contract: ./README.md.
//
// A client registered with a secret is a web app: its authorize requests may leave out PKCE, and
// its code exchanges and refreshes must carry `Authorization: Bearer <client_secret>`. Clients
// that are not registered behave as before (public PKCE clients, no Authorization checked).
// Every client: a `client_secret` in the token request body is refused (Coze never takes it there).

import crypto from 'node:crypto'

class ClientFailure extends Error {
  constructor(status, errorCode, message) {
    super(message)
    this.status = status
    this.errorCode = errorCode
    this.oauthFailure = true
  }
}

function safeEqual(a, b) {
  const ab = Buffer.from(String(a))
  const bb = Buffer.from(String(b))
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb)
}

/**
 * Adds `registerClient(clientId, { secret })` and the `clients` map to a MockCoze instance.
 * Registered clients survive reset().
 */
export function installClients(mock) {
  mock.clients = new Map()
  mock.registerClient = (clientId, { secret } = {}) => {
    if (typeof clientId !== 'string' || clientId === '') throw new Error('clientId must be a non-empty string')
    if (typeof secret !== 'string' || secret === '') throw new Error('secret must be a non-empty string')
    mock.clients.set(clientId, { secret })
  }
}

/** True when `clientId` was registered with a secret (a web app). */
export function isConfidential(mock, clientId) {
  return typeof clientId === 'string' && Boolean(mock.clients.get(clientId)?.secret)
}

/**
 * Client authentication for the code and refresh grants. Throws a failure that server.mjs
 * answers as an OAuth error: 400 invalid_request for a secret in the body, 401 invalid_client
 * ("invalid request: client_secret", Coze's wording) for a missing or wrong Bearer secret.
 */
export function checkClientAuth(mock, body, ctx) {
  if (Object.hasOwn(body, 'client_secret')) throw new ClientFailure(400, 'invalid_request', 'client_secret must not be sent in the body')
  if (!isConfidential(mock, body.client_id)) return
  const m = /^Bearer (.+)$/.exec(ctx.req.headers.authorization ?? '')
  if (!m || !safeEqual(m[1], mock.clients.get(body.client_id).secret)) throw new ClientFailure(401, 'invalid_client', 'invalid request: client_secret')
}
