// Shipped size of the browser PKCE entry: coze-auth vs @coze/api vs oauth4webapi.
//
// Each entry in bench/entries/ does the same job (S256 PKCE authorize URL, state check + code
// exchange, refresh). Each is bundled as an app would ship it (esbuild: bundle, minify, ESM,
// browser, es2020, .wasm as a file asset), then every output file is gzipped at level 9.
//
//   node bench/size.mjs        (prints a markdown section; details in bench/out/size.json)

import { build } from 'esbuild'
import { existsSync, readFileSync, readdirSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync, constants } from 'node:zlib'

const BENCH = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(BENCH, '..')
const OUT = path.join(BENCH, 'out', 'size')
const PKG_BROWSER = path.join(ROOT, 'pkg', 'browser')
const PKG_NODE = path.join(ROOT, 'pkg', 'node')
const BUDGET = 12 * 1024 // bytes, total gzipped, coze-auth

export const ENTRIES = [
  { name: 'coze-auth', label: 'coze-auth (this crate)', file: 'coze-auth.js' },
  { name: 'coze-api', label: '@coze/api 1.3.9', file: 'coze-api.js' },
  { name: 'oauth4webapi', label: 'oauth4webapi 3.8.8 ¹', file: 'oauth4webapi.js' }
]

/** The Node JWT job (a backend minting service tokens), bundled for Node the same way. */
export const NODE_ENTRIES = [
  { name: 'node-coze-auth', label: 'coze-auth (this crate, Node build)', file: 'node-jwt-coze-auth.js', platform: 'node', pkg: PKG_NODE },
  { name: 'node-coze-api', label: '@coze/api 1.3.9', file: 'node-jwt-coze-api.js', platform: 'node', pkg: PKG_NODE }
]

const gz = (buf) => gzipSync(buf, { level: constants.Z_BEST_COMPRESSION }).length
const fmt = (n) => n.toLocaleString('en-US')
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`

function checkPkg () {
  const need = ['index.js', 'coze_auth_bg.wasm'].flatMap((f) => [path.join(PKG_BROWSER, f), path.join(PKG_NODE, f)])
  const missing = need.filter((f) => !existsSync(f))
  if (missing.length) {
    throw new Error(`the package is not built (missing ${missing.map((f) => path.relative(ROOT, f)).join(', ')}): run \`npm run build\` at the repo root, or use bench/run.sh`)
  }
}

export async function measure (entry) {
  const outdir = path.join(OUT, entry.name)
  rmSync(outdir, { recursive: true, force: true })
  const result = await build({
    entryPoints: [path.join(BENCH, 'entries', entry.file)],
    outdir,
    entryNames: '[name]',
    assetNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    platform: entry.platform ?? 'browser',
    target: entry.platform === 'node' ? 'node20' : 'es2020',
    loader: { '.wasm': 'file' },
    metafile: true,
    logLevel: 'error',
    absWorkingDir: BENCH
  })
  const files = Object.keys(result.metafile.outputs).map((f) => path.resolve(BENCH, f))
  const notes = []

  // esbuild follows neither `new URL('x.wasm', import.meta.url)` (browser) nor Node's
  // readFileSync of the .wasm: if the bundle loads a .wasm it did not emit, ship the package's
  // wasm beside it, as an app deploying the bundle would have to.
  const PKG = entry.pkg ?? PKG_BROWSER
  if (!files.some((f) => f.endsWith('.wasm'))) {
    const js = files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(f, 'utf8')).join('\n')
    const inputs = Object.keys(result.metafile.inputs).map((f) => path.resolve(BENCH, f))
    const usesPkg = inputs.some((f) => f.startsWith(PKG + path.sep))
    if (usesPkg) {
      for (const wasm of readdirSync(PKG).filter((f) => f.endsWith('.wasm'))) {
        if (js.includes(wasm)) {
          const dest = path.join(outdir, wasm)
          copyFileSync(path.join(PKG, wasm), dest)
          files.push(dest)
          notes.push(`${wasm} copied beside the bundle (${entry.platform === 'node' ? 'read with fs' : 'loaded via new URL(…, import.meta.url)'}, which esbuild leaves as is)`)
        }
      }
      if (!files.some((f) => f.endsWith('.wasm')) && !/AGFzbQ|\\0asm/.test(js)) {
        notes.push('no .wasm emitted or referenced by name — check how the package loads its WebAssembly')
      }
    }
  }

  const row = { name: entry.name, label: entry.label, jsMin: 0, jsGz: 0, wasm: 0, wasmGz: 0, otherGz: 0, files: [], notes }
  for (const f of files) {
    const buf = readFileSync(f)
    const g = gz(buf)
    row.files.push({ file: path.relative(BENCH, f), bytes: buf.length, gz: g })
    if (f.endsWith('.js')) { row.jsMin += buf.length; row.jsGz += g } else if (f.endsWith('.wasm')) { row.wasm += buf.length; row.wasmGz += g } else row.otherGz += g
  }
  row.totalGz = row.jsGz + row.wasmGz + row.otherGz
  return row
}

/** A markdown table of measured rows, the first (coze-auth) the reference of the ratios. */
function table (rows) {
  const ours = rows[0]
  const lines = ['| library | JS min | JS gz | wasm | wasm gz | **total gz** | vs coze-auth |', '|---|---:|---:|---:|---:|---:|---:|']
  for (const r of rows) {
    const ratio = r === ours ? '1.00×' : `${(r.totalGz / ours.totalGz).toFixed(2)}×`
    lines.push(`| ${r.label} | ${fmt(r.jsMin)} | ${fmt(r.jsGz)} | ${r.wasm ? fmt(r.wasm) : '–'} | ${r.wasmGz ? fmt(r.wasmGz) : '–'} | **${fmt(r.totalGz)}** (${kib(r.totalGz)}) | ${ratio} |`)
  }
  return lines
}

export async function runSize () {
  checkPkg()
  mkdirSync(OUT, { recursive: true })
  const rows = []
  for (const entry of ENTRIES) {
    process.stderr.write(`size: bundling ${entry.label}…\n`)
    rows.push(await measure(entry))
  }
  const ours = rows[0]
  const lines = []
  lines.push('## Size: browser PKCE entry as shipped (esbuild, minified, gzip -9)')
  lines.push('')
  lines.push(...table(rows))
  lines.push('')
  lines.push('Bytes. Each entry builds the S256 authorize URL with a random state, checks the callback state and exchanges the code, and refreshes (`bench/entries/`).')
  lines.push('¹ oauth4webapi sends standard form-encoded token requests, which Coze rejects (it wants JSON): a size reference for a small generic OAuth client, not a drop-in alternative.')
  for (const r of rows) for (const n of r.notes) lines.push(`Note (${r.label}): ${n}.`)
  lines.push('')
  const verdict = ours.totalGz <= BUDGET ? 'PASS' : 'FAIL'
  lines.push(`Budget: coze-auth total gz ≤ ${fmt(BUDGET)} B (12 KiB): **${verdict}** (${fmt(ours.totalGz)} B, ${ours.totalGz <= BUDGET ? fmt(BUDGET - ours.totalGz) + ' B to spare' : fmt(ours.totalGz - BUDGET) + ' B over'}).`)

  const nodeRows = []
  for (const entry of NODE_ENTRIES) {
    process.stderr.write(`size: bundling ${entry.label} for Node…\n`)
    nodeRows.push(await measure(entry))
  }
  lines.push('')
  lines.push('## Size: Node JWT entry (esbuild, platform node, minified, gzip -9)')
  lines.push('')
  lines.push(...table(nodeRows))
  lines.push('')
  lines.push('Each entry mints a service token with the JWT flow (`bench/entries/node-jwt-*.js`); everything it imports is bundled, Node built-ins excepted. coze-auth\'s Node build carries every flow (one module), not only JWT. `@cozeloop/ai` is not in the registry here (404), so it is not measured.')
  for (const r of nodeRows) for (const n of r.notes) lines.push(`Note (${r.label}): ${n}.`)
  writeFileSync(path.join(BENCH, 'out', 'size.json'), JSON.stringify({ budget: BUDGET, verdict, rows, nodeRows }, null, 2) + '\n')
  return { markdown: lines.join('\n'), rows, verdict }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { markdown } = await runSize()
    console.log(markdown)
  } catch (err) {
    console.error(`size: ${err.message}`)
    process.exit(1)
  }
}
