// Shared by the tests of the Rust examples (examples/*.rs, feature `reqwest`): builds them, runs
// one as a child process, and plays the browser of the PKCE and web logins.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startMockCoze } from '../../../mock-coze/server.mjs'

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

// Environment variables the examples read: a test passes what it means explicitly.
const EXAMPLE_ENV = /^COZE_(API_BASE|WWW_BASE|DEVICE_OAUTH_|PKCE_OAUTH_|WEB_OAUTH_|JWT_OAUTH_)/

/**
 * Builds every example once (a no-op when they are up to date; cargo's lock serialises test
 * files that ask at the same time) and returns the executable of `name`, wherever
 * CARGO_TARGET_DIR points.
 */
export function buildExample(name) {
  const out = execFileSync(
    'cargo',
    ['build', '--quiet', '--features', 'reqwest', '--examples', '--message-format=json'],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 },
  )
  let exe
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue
    const msg = JSON.parse(line)
    if (msg.reason === 'compiler-artifact' && msg.target?.name === name && msg.executable) exe = msg.executable
  }
  assert.ok(exe, `cargo reported the executable of example ${name}`)
  return exe
}

/**
 * Starts an example. Returns { child, done, stderrMatch }: `done` resolves with
 * { code, stdout, stderr, ms } at exit; `stderrMatch(re)` resolves with the first match of `re`
 * in stderr so far or to come.
 */
export function start(exe, args, env = {}) {
  const started = Date.now()
  const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !EXAMPLE_ENV.test(k)))
  const child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...childEnv, ...env } })
  let stdout = ''
  let stderr = ''
  const waiters = []
  child.stdout.on('data', (d) => { stdout += d })
  child.stderr.on('data', (d) => {
    stderr += d
    for (const w of waiters.splice(0)) {
      const m = stderr.match(w.re)
      if (m) w.resolve(m)
      else waiters.push(w)
    }
  })
  const done = new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`exited (${code}) before stderr matched ${w.re}: ${stderr}`))
      resolve({ code, stdout, stderr, ms: Date.now() - started })
    })
  })
  const stderrMatch = (re) => new Promise((resolve, reject) => {
    const m = stderr.match(re)
    if (m) resolve(m)
    else if (child.exitCode !== null) reject(new Error(`exited before stderr matched ${re}: ${stderr}`))
    else waiters.push({ re, resolve, reject })
  })
  return { child, done, stderrMatch }
}

/** Runs an example to its end. */
export function run(exe, args, env = {}) {
  return start(exe, args, env).done
}

/** A fresh mock Coze for `fn`, closed afterwards. */
export async function withMock(fn) {
  const coze = await startMockCoze({ port: 0 })
  try {
    return await fn(coze)
  } finally {
    await coze.close()
  }
}

/**
 * Plays the browser: opens the authorize URL the example printed, decides on the mock's consent
 * page, and follows Coze's redirect to the example's callback listener (optionally with the
 * redirect's URL changed by `tamper`). Returns { consent, callback: { status, text } }.
 */
export async function playBrowser(coze, authorizeUrl, { decision = 'allow', tamper = (u) => u } = {}) {
  const consent = await coze.consent(authorizeUrl, { decision })
  const res = await fetch(tamper(consent.location), { redirect: 'manual' })
  return { consent, callback: { status: res.status, text: await res.text() } }
}

/** The authorize URL an example printed on stderr. */
export const AUTHORIZE_URL_LINE = /Open this URL in a browser to log in:\n(\S+)\n/
