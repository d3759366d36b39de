// Cold start in Node: a fresh `node` per run, from spawn to exit, for
//   bare node        node -e ''
//   coze-auth        import pkg/node/index.mjs, new PKCEOAuthApp, await first getOAuthUrl
//   coze-auth (require) the same through require of pkg/node/index.js (CommonJS)
//   ESM import of an empty CommonJS file (Node's own cost of the path the ESM entry takes)
//   @coze/api        import, await getPKCEAuthenticationUrl
//   oauth4webapi     import, code verifier + S256 challenge + authorize URL
// Runs are interleaved (the order alternates every round) after one discarded warm-up round.
//
//   node bench/coldstart.mjs [runs]     (default 15; prints a markdown section)

import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const BENCH = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(BENCH, '..')
const OURS = path.join(ROOT, 'pkg', 'node', 'index.mjs')
const OURS_CJS = path.join(ROOT, 'pkg', 'node', 'index.js')
const EMPTY_CJS = path.join(BENCH, 'entries', 'empty.cjs')
const REDIRECT = 'http://localhost:8080/callback.html'

// Each script exits non-zero unless it really produced an authorize URL.
export const VARIANTS = [
  { name: 'bare', label: 'bare node', args: ['-e', ''] },
  {
    name: 'coze-auth',
    label: 'coze-auth (pkg/node)',
    args: ['--input-type=module', '-e', `
import { PKCEOAuthApp } from ${JSON.stringify(pathToFileURL(OURS).href)}
const app = new PKCEOAuthApp({ clientId: 'bench-client', baseURL: 'https://api.coze.cn' })
const { url } = await app.getOAuthUrl({ redirectUri: ${JSON.stringify(REDIRECT)} })
if (!url.includes('code_challenge=')) process.exit(3)`]
  },
  {
    name: 'coze-auth-cjs',
    label: 'coze-auth (pkg/node) through require',
    args: ['-e', `
const { PKCEOAuthApp } = require(${JSON.stringify(OURS_CJS)})
new PKCEOAuthApp({ clientId: 'bench-client', baseURL: 'https://api.coze.cn' })
  .getOAuthUrl({ redirectUri: ${JSON.stringify(REDIRECT)} })
  .then(({ url }) => { if (!url.includes('code_challenge=')) process.exit(3) })`]
  },
  {
    name: 'esm-to-cjs',
    label: 'for reference: ESM import of an empty CommonJS file',
    args: ['--input-type=module', '-e', `import ${JSON.stringify(pathToFileURL(EMPTY_CJS).href)}`]
  },
  {
    name: 'coze-api',
    label: '@coze/api 1.3.9',
    args: ['--input-type=module', '-e', `
import { getPKCEAuthenticationUrl } from '@coze/api'
const { url } = await getPKCEAuthenticationUrl({ baseURL: 'https://api.coze.cn', clientId: 'bench-client', redirectUrl: ${JSON.stringify(REDIRECT)}, state: 'st' })
if (!url.includes('code_challenge=')) process.exit(3)`]
  },
  {
    name: 'oauth4webapi',
    label: 'oauth4webapi 3.8.8',
    args: ['--input-type=module', '-e', `
import * as oauth from 'oauth4webapi'
const verifier = oauth.generateRandomCodeVerifier()
const url = new URL('https://www.coze.cn/api/permission/oauth2/authorize')
url.searchParams.set('response_type', 'code')
url.searchParams.set('client_id', 'bench-client')
url.searchParams.set('redirect_uri', ${JSON.stringify(REDIRECT)})
url.searchParams.set('state', oauth.generateRandomState())
url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier))
url.searchParams.set('code_challenge_method', 'S256')
if (!url.href.includes('code_challenge=')) process.exit(3)`]
  }
]

function runOnce (variant) {
  const start = process.hrtime.bigint()
  const r = spawnSync(process.execPath, variant.args, {
    cwd: BENCH, // bare specifiers in --eval resolve from here (bench/node_modules)
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.error) throw new Error(`${variant.label}: ${r.error.message}`)
  if (r.status !== 0) throw new Error(`${variant.label}: exited with ${r.status ?? r.signal}\n${r.stderr.toString().trim()}`)
  return ms
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const p90 = (xs) => { // nearest rank
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(0.9 * s.length) - 1)]
}
const ms = (x) => x.toFixed(1)

export function runColdstart (runs = 15) {
  if (!existsSync(OURS)) {
    throw new Error(`${path.relative(ROOT, OURS)} is missing: run \`npm run build\` at the repo root, or use bench/run.sh`)
  }
  for (const dep of ['@coze/api', 'oauth4webapi']) {
    if (!existsSync(path.join(BENCH, 'node_modules', dep, 'package.json'))) {
      throw new Error(`bench dependency ${dep} is not installed: run \`npm install\` in bench/, or use bench/run.sh`)
    }
  }
  const samples = Object.fromEntries(VARIANTS.map((v) => [v.name, []]))
  for (const v of VARIANTS) runOnce(v) // warm-up (disk cache), discarded
  for (let round = 0; round < runs; round++) {
    const order = round % 2 ? [...VARIANTS].reverse() : VARIANTS
    for (const v of order) samples[v.name].push(runOnce(v))
    process.stderr.write(`\rcoldstart: round ${round + 1}/${runs}`)
  }
  process.stderr.write('\n')

  const stats = Object.fromEntries(VARIANTS.map((v) => {
    const xs = samples[v.name]
    return [v.name, { median: median(xs), p90: p90(xs) }]
  }))
  const bare = stats.bare.median
  const oursOver = stats['coze-auth'].median - bare
  const lines = []
  lines.push(`## Cold start in Node ${process.version} (fresh process per run, ${runs} runs, interleaved)`)
  lines.push('')
  lines.push('| variant | median ms | p90 ms | over bare node (median) ms | vs coze-auth (over bare) |')
  lines.push('|---|---:|---:|---:|---:|')
  for (const v of VARIANTS) {
    const s = stats[v.name]
    const over = s.median - bare
    let ratio = '–'
    if (v.name === 'coze-auth') ratio = '1.00×'
    else if (v.name !== 'bare') ratio = oursOver > 0 ? `${(over / oursOver).toFixed(2)}×` : 'n/a'
    lines.push(`| ${v.label} | ${ms(s.median)} | ${ms(s.p90)} | ${v.name === 'bare' ? '–' : ms(over)} | ${ratio} |`)
  }
  lines.push('')
  lines.push('Wall time from spawn to exit. coze-auth: import + new PKCEOAuthApp + first getOAuthUrl (wasm compile included); @coze/api: import + getPKCEAuthenticationUrl; oauth4webapi: import + verifier + S256 challenge + URL.')
  lines.push("coze-auth's ESM entry re-exports its CommonJS build so that `import` and `require` share one instance (one `CozeAuthError` class); the two extra rows split its time into Node's ESM-to-CommonJS step and the package itself.")
  mkdirSync(path.join(BENCH, 'out'), { recursive: true })
  writeFileSync(path.join(BENCH, 'out', 'coldstart.json'), JSON.stringify({ node: process.version, runs, stats, samples }, null, 2) + '\n')
  return { markdown: lines.join('\n'), stats }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const runs = Number(process.argv[2] ?? 15)
    if (!Number.isInteger(runs) || runs < 1) throw new Error('runs must be a positive integer')
    console.log(runColdstart(runs).markdown)
  } catch (err) {
    console.error(`coldstart: ${err.message}`)
    process.exit(1)
  }
}
