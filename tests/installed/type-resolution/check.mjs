// Compiles the TypeScript consumers (esm.mts, cjs.cts) against the installed tarball under each
// moduleResolution, and checks which declaration file each one got: node16/nodenext must give
// `import` index.d.ts and `require` index.d.cts; bundler has no `node` condition, so both get
// index.d.ts (the browser build's types).
//
//   node tests/installed/type-resolution/check.mjs      (after the tarball is installed here)

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const TSC = path.join(HERE, '..', '..', '..', 'node_modules', 'typescript', 'bin', 'tsc')

/** tsconfig suffix → consumer file → declaration file it must resolve 'coze-auth' to. */
const EXPECTED = {
  node16: { 'esm.mts': 'index.d.ts', 'cjs.cts': 'index.d.cts' },
  nodenext: { 'esm.mts': 'index.d.ts', 'cjs.cts': 'index.d.cts' },
  bundler: { 'esm.mts': 'index.d.ts' },
  'bundler-preserve': { 'esm.mts': 'index.d.ts', 'cjs.cts': 'index.d.ts' }
}

async function check (mode) {
  const config = path.join(HERE, `tsconfig.${mode}.json`)
  const { stdout } = await promisify(execFile)(process.execPath, [TSC, '-p', config, '--traceResolution'], { maxBuffer: 64 << 20 })
    .catch((err) => {
      const errors = `${err.stdout}${err.stderr}`.split('\n').filter((l) => /error TS\d+/.test(l)).join('\n')
      throw new Error(`tsc -p tsconfig.${mode}.json failed:\n${errors || err.message}`)
    })
  // Trace blocks: "======== Resolving module 'coze-auth' from '<file>'. ========" … "successfully resolved to '<d.ts>'".
  const got = {}
  const re = /^======== Resolving module 'coze-auth' from '([^']+)'\. ========$[\s\S]*?^======== Module name 'coze-auth' was (?:successfully resolved to '([^']+)'|not resolved)/gm
  for (const [, from, to] of stdout.matchAll(re)) got[path.basename(from)] = to ? path.relative(path.join(HERE, 'node_modules', 'coze-auth'), to) : null
  const want = EXPECTED[mode]
  const problems = Object.entries(want).filter(([file, d]) => got[file] !== d).map(([file, d]) => `${file}: expected ${d}, got ${got[file]}`)
  if (problems.length) throw new Error(`moduleResolution ${mode}: ${problems.join('; ')}`)
  return `${mode}: ${Object.entries(want).map(([file, d]) => `${file} → ${d}`).join(', ')}`
}

const results = await Promise.allSettled(Object.keys(EXPECTED).map(check))
let failed = false
for (const r of results) {
  if (r.status === 'fulfilled') console.log(`types-resolution ok  ${r.value}`)
  else { failed = true; console.error(`types-resolution FAIL ${r.reason.message}`) }
}
if (failed) process.exit(1)
