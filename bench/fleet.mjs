// A cold fleet asking for a service token: 8 Node processes started together, each making 25
// concurrent token calls, against the mock Coze on loopback (it answers at once: a real Coze
// adds its round trip to every request counted here). Per variant: the JWT grants the mock saw,
// and the time from "go" (each process loaded and connected) to each process's first token.
//   coze-auth + redisTokenStore, cold store: one grant for the fleet (the others wait on the lock)
//   coze-auth + redisTokenStore, warm store: 8 new processes find the token in Redis
//   coze-auth without a store: one grant per process (its in-process single flight)
//   @coze/api getJWTToken(): one grant per call
// Starts its own redis-server (Debian's; scripts/test-redis.sh installs it) on a free port.
//
//   node bench/fleet.mjs        (prints a markdown section)

import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createClient } from 'redis'

const BENCH = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(BENCH, '..')
const { startMockCoze } = await import(pathToFileURL(path.join(ROOT, 'mock-coze', 'server.mjs')).href)
const PROCESSES = 8
const CALLS = 25
const ROUNDS = Number(process.argv[2] ?? 3)

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

async function startRedis() {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    const probe = createClient({ url, socket: { reconnectStrategy: false } }).on('error', () => {})
    try {
      await probe.connect()
      return { url, child, client: probe }
    } catch {
      await sleep(50)
    }
  }
  throw new Error('redis-server did not start (install it: bash scripts/test-redis.sh)')
}

/** Starts the fleet, waits until every process is ready, says "go", and collects the results. */
async function fleet(mode, coze, redisUrl) {
  const workers = await Promise.all(
    Array.from({ length: PROCESSES }, async () => {
      const child = spawn(process.execPath, [path.join(BENCH, 'fleet-worker.mjs'), JSON.stringify({ mode, cozeUrl: coze.url, redisUrl, calls: CALLS })], { stdio: ['pipe', 'pipe', 'inherit'] })
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
      if ((await lines.next()).value !== 'ready') throw new Error(`${mode}: a worker failed to start`)
      return { child, lines }
    }),
  )
  coze.reset()
  for (const w of workers) w.child.stdin.end('go\n')
  const results = await Promise.all(workers.map(async (w) => JSON.parse((await w.lines.next()).value)))
  return { grants: coze.jwtHits, first: results.map((r) => r.firstMs).sort((a, b) => a - b), last: Math.max(...results.map((r) => r.lastMs)) }
}

const coze = await startMockCoze({ port: 0 })
coze.registerJwtKey('bench-fleet-kid', readFileSync(path.join(ROOT, 'tests', 'fixtures', 'jwt-key-public.pem'), 'utf8'), { appId: 'bench-fleet-app' })
const redis = await startRedis()
const rows = { 'store-cold': [], 'store-warm': [], local: [], 'coze-api': [] }
for (let r = 0; r < ROUNDS; r++) {
  await redis.client.sendCommand(['FLUSHALL'])
  rows['store-cold'].push(await fleet('store', coze, redis.url))
  rows['store-warm'].push(await fleet('store', coze, redis.url))
  rows.local.push(await fleet('local', coze, redis.url))
  rows['coze-api'].push(await fleet('coze-api', coze, redis.url))
}
await redis.client.close()
redis.child.kill('SIGTERM')
await coze.close()

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const NAMES = {
  'store-cold': 'coze-auth + `redisTokenStore`, cold store',
  'store-warm': 'coze-auth + `redisTokenStore`, warm store (8 new processes)',
  local: 'coze-auth, no store (in-process cache)',
  'coze-api': '@coze/api 1.3.9 `getJWTToken()`',
}
console.log(`## A cold fleet: ${PROCESSES} processes × ${CALLS} concurrent token calls`)
console.log()
console.log(`Mock Coze and redis-server on loopback (no network latency: a real Coze adds a round trip per grant); median of ${ROUNDS} rounds. "First token": from "go" (the process loaded, Redis connected) to that process's first token.`)
console.log()
console.log('| variant | JWT grants | first token, fastest process | first token, median process | first token, slowest process | all 200 calls done |')
console.log('|---|---:|---:|---:|---:|---:|')
for (const [key, runs] of Object.entries(rows)) {
  const at = (i) => `${median(runs.map((x) => x.first[i])).toFixed(0)} ms`
  console.log(`| ${NAMES[key]} | ${median(runs.map((x) => x.grants))} | ${at(0)} | ${at(PROCESSES >> 1)} | ${at(PROCESSES - 1)} | ${median(runs.map((x) => x.last)).toFixed(0)} ms |`)
}
