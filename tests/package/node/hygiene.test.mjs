// The hygiene sweep (hygiene.mjs) itself: a process whose error or logger line carries a secret
// the mock issued, or a piece of a test key, must fail; a clean one must pass.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = fileURLToPath(new URL('.', import.meta.url))

function runWithSweep(body) {
  const dir = mkdtempSync(join(tmpdir(), 'coze-hygiene-'))
  const script = join(HERE, `.hygiene-probe-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`)
  writeFileSync(script, `import { PKCEOAuthApp, CozeAuthError } from 'coze-auth'\nimport { startMockCoze } from '../../../mock-coze/server.mjs'\nimport { recordLine } from './hygiene.mjs'\n${body}\n`)
  try {
    const r = spawnSync(process.execPath, ['--import', join(HERE, 'hygiene.mjs'), script], { env: { ...process.env, COZE_HYGIENE_DIR: dir }, encoding: 'utf8', timeout: 20_000 })
    const [summary] = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
    return { status: r.status, stderr: r.stderr, summary }
  } finally {
    spawnSync('rm', ['-f', script])
  }
}

const EXCHANGE = `
const coze = await startMockCoze({ port: 0 })
const app = new PKCEOAuthApp({ clientId: 'c', baseURL: coze.url, timeoutMs: 2000 })
const { url } = await app.getOAuthUrl({ redirectUri: 'http://127.0.0.1/cb' })
const page = await (await fetch(url.replace(/^https?:\\/\\/[^/]+/, coze.url))).text()
const token = coze.mintToken('c', 'probe')
try { await app.getAccessToken({ code: 'czs_probe_code_0123', redirectUri: 'http://127.0.0.1/cb', codeVerifier: 'v'.repeat(43) }) } catch {}
await coze.close()
`

test('a clean process passes, and its errors were checked', () => {
  const r = runWithSweep(EXCHANGE)
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.summary.errors >= 1 && r.summary.secrets >= 3, JSON.stringify(r.summary))
  assert.deepEqual(r.summary.leaks, [])
})

test('an error that carries an issued token fails the process', () => {
  const r = runWithSweep(`${EXCHANGE}\nvoid new CozeAuthError('oops ' + token.access_token, { code: 'oauth_error' })`)
  assert.equal(r.status, 1)
  assert.match(r.stderr, /secret hygiene: [1-4] leak/)
  assert.ok(!r.stderr.includes('czs_mock_at_'), 'the report masks the secret')
})

test('a secret in a cause (seen only by util.inspect) fails the process', () => {
  const r = runWithSweep(`${EXCHANGE}\nvoid new CozeAuthError('fine', { code: 'network_error', cause: new Error(token.refresh_token) })`)
  assert.equal(r.status, 1)
  assert.equal(r.summary.leaks.length, 1)
})

test('a logger line with a piece of a test key fails the process', () => {
  const pem = readFileSync(new URL('../../fixtures/jwt-key-pkcs1.pem', import.meta.url), 'utf8').split('\n')[5]
  const r = runWithSweep(`recordLine('key ${pem.slice(3, 40)}')`)
  assert.equal(r.status, 1)
  assert.match(r.summary.leaks[0], /logger line/)
})
