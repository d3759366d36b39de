// Sums what tests/package/node/hygiene.mjs checked in each test process (target/hygiene/*.json) and fails
// if any process found a leak, or if so few errors were checked that the sweep proves nothing.
import { readdirSync, readFileSync } from 'node:fs'

const MIN_ERRORS = 150
const dir = new URL('../target/hygiene/', import.meta.url)
const runs = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')))
const sum = (k) => runs.reduce((n, r) => n + r[k], 0)
const leaks = runs.flatMap((r) => r.leaks.map((l) => `${r.file}: ${l}`))
console.log(`secret hygiene: ${sum('errors')} errors (each as message, String, util.inspect, JSON.stringify) and ${sum('lines')} logger lines from ${runs.length} test processes, checked against ${sum('secrets')} secrets seen by the mocks or declared, and the test keys' base64; ${leaks.length} leak(s)`)
for (const r of runs) console.log(`  ${r.file}: ${r.errors} errors, ${r.lines} lines, ${r.secrets} secrets`)
if (leaks.length) {
  console.error(leaks.join('\n'))
  process.exit(1)
}
if (sum('errors') < MIN_ERRORS) {
  console.error(`only ${sum('errors')} errors were checked (expected at least ${MIN_ERRORS}): is the preload missing?`)
  process.exit(1)
}
