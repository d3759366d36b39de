// Fault injection against the BUILT package: every flow's request meets every misbehaviour the
// mock Coze can produce, and each case must end in the outcome of the table below (README's
// "Faults" table is this table): a typed CozeAuthError, or the correct value where the answer is
// merely unusual. Every call has a 2 s timeout, so a hang cannot stall the suite.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { PKCEOAuthApp, DeviceOAuthApp, OAuthJWTFlow, WebOAuthApp, CozeAuthError } from 'coze-auth'
import { recordLine } from './hygiene.mjs'
import { startMockCoze, DEVICE_CODE_PATH, FAULT_NAMES, REDIRECT_TARGET_PATH, TOKEN_PATH } from '../../../mock-coze/server.mjs'

const TIMEOUT_MS = 2000
const fixture = (name) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')
const REDIRECT = 'http://127.0.0.1:3000/callback'

/** The calls under test: each makes exactly one request to `path`. */
const CALLS = {
  'PKCE exchange': {
    path: TOKEN_PATH,
    run: (coze) => new PKCEOAuthApp({ clientId: 'pkce-client', baseURL: coze.url, timeoutMs: TIMEOUT_MS }).getAccessToken({ code: 'czs_fault_code_0123456789', redirectUri: REDIRECT, codeVerifier: 'v'.repeat(43) }),
  },
  'device code': {
    path: DEVICE_CODE_PATH,
    run: (coze) => new DeviceOAuthApp({ clientId: 'device-client', baseURL: coze.url, timeoutMs: TIMEOUT_MS }).getDeviceCode(),
  },
  'JWT getToken': {
    path: TOKEN_PATH,
    run: (coze) => new OAuthJWTFlow({ appId: 'jwt-app', keyid: 'kid-1', privateKey: fixture('jwt-key-pkcs8.pem'), baseURL: coze.url, timeoutMs: TIMEOUT_MS, logger: recordLine }).getToken(),
  },
  'web exchange': {
    path: TOKEN_PATH,
    run: (coze) => new WebOAuthApp({ clientId: 'web-client', clientSecret: 'web-secret-0123456789', baseURL: coze.url, timeoutMs: TIMEOUT_MS }).getAccessToken({ code: 'czs_fault_code_0123456789', redirectUri: REDIRECT }),
  },
}

/**
 * fault → what the mock does, and the outcome: 'ok' (a correct value) or the error code.
 * `device` overrides the outcome for the device code request where the answer's shape differs.
 */
export const FAULT_TABLE = {
  reset: { what: 'resets the connection', outcome: 'network_error' },
  hang: { what: 'accepts and never answers', outcome: 'timeout' },
  slow_body: { what: 'sends headers, then a body that never ends', outcome: 'timeout' },
  drip: { what: 'sends a valid answer one byte every 4 ms (about 1 s)', outcome: 'ok' },
  huge_body: { what: 'sends 10 MB of JSON', outcome: 'invalid_response' },
  huge_body_chunked: { what: 'sends 10 MB of JSON without `Content-Length`', outcome: 'invalid_response' },
  html_502: { what: 'HTTP 502 with an HTML page', outcome: 'http_error' },
  http_500_empty: { what: 'HTTP 500, empty body', outcome: 'http_error' },
  invalid_json: { what: 'HTTP 200, `{not json`', outcome: 'invalid_response' },
  invalid_utf8: { what: 'HTTP 200, a string with bytes that are not UTF-8', outcome: 'invalid_response' },
  duplicate_keys: { what: 'HTTP 200, the first field twice with different values', outcome: 'invalid_response' },
  numbers_as_strings: { what: 'HTTP 200, every number as a numeric string', outcome: 'ok' },
  expires_in_string: { what: 'HTTP 200, `expires_in` as a numeric string', outcome: 'ok' },
  missing_field: { what: 'HTTP 200 without `access_token` (device code: without `user_code`)', outcome: 'invalid_response' },
  no_token_type: { what: 'HTTP 200, a token without `token_type` (on the device code path: a token, not a device code)', outcome: 'ok', device: 'invalid_response' },
  error_200: { what: 'HTTP 200 with `{error_code, error_message}`', outcome: 'oauth_error' },
  error_field_400: { what: 'HTTP 400 with `{error, error_description}`', outcome: 'oauth_error' },
  redirect: { what: 'HTTP 302 to an endpoint that would answer a token', outcome: 'http_error' },
  endless_body: { what: 'sends JSON that never ends, without `Content-Length`, as fast as read', outcome: 'invalid_response' },
  gzip_bomb: { what: 'sends 10 KB of gzip (declared) that expand to 10 MB', outcome: 'invalid_response' },
  gzip_endless: { what: 'sends a gzip stream that never ends, without `Content-Length`', outcome: 'invalid_response' },
  error_message_only: { what: 'HTTP 200 with only `{error_message}`', outcome: 'oauth_error' },
  error_param: { what: 'HTTP 400 with `{error_code, error_message, param}`', outcome: 'oauth_error' },
}

test('every fault of the mock is in the table', () => {
  assert.deepEqual(Object.keys(FAULT_TABLE).sort(), FAULT_NAMES.filter((f) => f !== 'no_access_token').sort())
})

async function outcomeOf(callName, fault) {
  const coze = await startMockCoze({ port: 0 })
  coze.registerJwtKey('kid-1', fixture('jwt-key-public.pem'), { appId: 'jwt-app' })
  coze.registerClient('web-client', { secret: 'web-secret-0123456789' })
  const call = CALLS[callName]
  try {
    coze.setFault(fault, { path: call.path })
    let value
    try {
      value = await call.run(coze)
    } catch (e) {
      assert.ok(e instanceof CozeAuthError, `${callName} / ${fault}: not a CozeAuthError: ${e?.stack ?? e}`)
      assert.equal(coze.requests.filter((r) => r.path === REDIRECT_TARGET_PATH).length, 0, 'a redirect was followed')
      return { outcome: e.code, error: e }
    }
    // A value must be correct, not merely present.
    if (call.path === DEVICE_CODE_PATH) {
      assert.match(value.device_code, /^czs_mock_dc_/)
      assert.equal(value.interval, 5)
      assert.ok(Number.isInteger(value.expires_in) && value.expires_in > Date.now() / 1000)
    } else {
      assert.match(value.access_token, /^czs_mock_at_/)
      assert.ok(Number.isInteger(value.expires_in) && value.expires_in > Date.now() / 1000, `expires_in ${value.expires_in}`)
      const issued = coze.issued.find((t) => t.access_token === value.access_token)
      assert.ok(issued, 'the token is the one the mock issued')
      assert.equal(value.expires_in, Number(issued.expires_in))
    }
    return { outcome: 'ok', value }
  } finally {
    await coze.close()
  }
}

/** fault → call → {outcome, ms}: written to target/faults.md for README (timings are reported, never asserted). */
const seen = {}

for (const [fault, row] of Object.entries(FAULT_TABLE)) {
  test(`fault ${fault}: ${row.what}`, { timeout: 15_000 }, async () => {
    for (const callName of Object.keys(CALLS)) {
      const expected = callName === 'device code' && row.device ? row.device : row.outcome
      const t0 = performance.now()
      const { outcome, error } = await outcomeOf(callName, fault)
      ;(seen[fault] ??= {})[callName] = { outcome, ms: performance.now() - t0 }
      assert.equal(outcome, expected, `${callName} / ${fault}: ${error?.message ?? 'resolved'}`)
      if (error && ['http_error', 'oauth_error'].includes(outcome) && fault !== 'redirect') assert.ok(error.logId, 'the log id is kept')
      if (fault === 'error_200' || fault === 'error_field_400') assert.equal(error.errorCode, 'invalid_grant')
      if (fault === 'error_message_only') {
        assert.equal(error.errorMessage, 'mock fault error_message_only: the request was refused')
        assert.equal(error.errorCode, undefined)
      }
      if (fault === 'error_param') assert.equal(error.param, 'redirect_uri')
      // Past 1 MiB the reading stops at once: well before the time limit, whatever the length said.
      if (['endless_body', 'gzip_endless', 'gzip_bomb'].includes(fault)) assert.ok(seen[fault][callName].ms < TIMEOUT_MS, `${callName} / ${fault}: ${seen[fault][callName].ms} ms`)
    }
  })
}

test.after(() => {
  const names = Object.keys(CALLS)
  const lines = [
    `| the mock Coze… | ${names.join(' | ')} |`,
    `|---|${names.map(() => '---').join('|')}|`,
    ...Object.entries(FAULT_TABLE).filter(([f]) => seen[f]).map(([f, row]) => `| ${row.what} (\`${f}\`) | ${names.map((n) => `${seen[f][n]?.outcome === 'ok' ? 'correct value' : `\`${seen[f][n]?.outcome}\``} (${Math.round(seen[f][n]?.ms)} ms)`).join(' | ')} |`),
  ]
  mkdirSync(new URL('../../../target/', import.meta.url), { recursive: true })
  writeFileSync(new URL('../../../target/faults.md', import.meta.url), lines.join('\n') + '\n')
})
