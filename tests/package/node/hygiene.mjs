// Secret hygiene over the whole JS suite. scripts/test.sh preloads this module into every test
// process (`node --import ./tests/package/node/hygiene.mjs --test tests/package/node/`). It records every
// CozeAuthError the package creates (whatever the test then does with it) and every logger line
// a test hands to `recordLine`, and when the process exits it renders each error four ways
// (message, String(err), util.inspect, JSON.stringify) and fails the process if any rendering or
// line contains a secret: every token, code, verifier, state, client secret and JWT the mock
// Coze servers of this process issued or received (mock-coze/server.mjs notes them), any
// 16-character run of the test private keys, and what tests declare with `secret()`.
// A summary per process goes to target/hygiene/ for scripts/hygiene-report.mjs.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { CozeAuthError } from 'coze-auth'
import { seenSecrets } from '../../../mock-coze/server.mjs'

const errors = []
const lines = []
const declared = new Set()

// The constructor assigns `this.code`: an accessor on the prototype sees every instance made,
// then turns `code` into the ordinary own property it would have been.
Object.defineProperty(CozeAuthError.prototype, 'code', {
  configurable: true,
  set(value) {
    Object.defineProperty(this, 'code', { value, writable: true, enumerable: true, configurable: true })
    errors.push(this)
  },
})

/** A logger line the package produced (checked at exit). */
export function recordLine(line) {
  lines.push(String(line))
}

/** Secrets a test used that no mock saw (e.g. passed to a custom fetch). */
export function secret(...values) {
  for (const v of values) if (typeof v === 'string' && v.length >= 8) declared.add(v)
}

/** Base64 runs (16 characters, every 8th offset) of the test private keys. */
function keyRuns() {
  const dir = new URL('../../fixtures/', import.meta.url)
  const runs = new Set()
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.pem') && !n.includes('public'))) {
    const body = readFileSync(new URL(name, dir), 'utf8').replace(/-----[^-]+-----|\s/g, '')
    for (let i = 0; i + 16 <= body.length; i += 8) runs.add(body.slice(i, i + 16))
  }
  return [...runs]
}

function renderings(err) {
  return [String(err?.message), String(err), inspect(err, { depth: Infinity, showHidden: true }), JSON.stringify(err) ?? '']
}

process.on('exit', () => {
  const secrets = [...new Set([...seenSecrets(), ...declared])]
  const runs = keyRuns()
  const leaks = []
  const texts = [...errors.flatMap((e) => renderings(e).map((text) => ({ what: `error ${e.code}`, text }))), ...lines.map((text) => ({ what: 'logger line', text }))]
  for (const { what, text } of texts) {
    const hit = secrets.find((s) => text.includes(s)) ?? runs.find((r) => text.includes(r))
    if (hit) leaks.push(`${what} contains a secret: ${text.split(hit).join('<secret>').slice(0, 300)}`)
  }
  const dir = process.env.COZE_HYGIENE_DIR ? new URL(`file://${process.env.COZE_HYGIENE_DIR}/`) : new URL('../../../target/hygiene/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  const file = (process.argv[1] ?? 'unknown').split('/').pop()
  writeFileSync(new URL(`${file}.${process.pid}.json`, dir), JSON.stringify({ file, errors: errors.length, lines: lines.length, secrets: secrets.length, keyRuns: runs.length, leaks }))
  if (leaks.length) {
    console.error(`secret hygiene: ${leaks.length} leak(s)\n${leaks.slice(0, 20).join('\n')}`)
    process.exitCode = 1
  }
})
