// A fleet of Node processes sharing one token through coze-auth/redis, against a real
// redis-server and the mock Coze: a cold start mints once for all of them, and a lock holder
// that dies mid-mint is taken over once its lock expires. Run by scripts/test-redis.sh.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { startMockCoze } from '../../../../mock-coze/server.mjs'
import { recordLine } from '../hygiene.mjs'
import { connect, startRedis } from './redis-server.mjs'

const APP_ID = 'fleet-app'
const KID = 'fleet-kid'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

let coze, redis, client
before(async () => {
  coze = await startMockCoze({ port: 0 })
  coze.registerJwtKey(KID, readFileSync(new URL('../../../fixtures/jwt-key-public.pem', import.meta.url), 'utf8'), { appId: APP_ID })
  redis = await startRedis()
  client = await connect(redis.url)
})
after(async () => {
  await client?.close()
  await redis?.stop()
  await coze?.close()
})
beforeEach(async () => {
  coze.reset()
  await client.sendCommand(['FLUSHALL'])
})

/** Starts a worker; resolves once it is connected: { child, go(), result }. */
async function worker(options) {
  const child = spawn(process.execPath, [new URL('./fleet-worker.mjs', import.meta.url).pathname, JSON.stringify({ appId: APP_ID, kid: KID, cozeUrl: coze.url, redisUrl: redis.url, calls: 25, timeoutMs: 5000, durationSeconds: 900, ...options })], { stdio: ['pipe', 'pipe', 'inherit'] })
  const out = createInterface({ input: child.stdout })
  const lines = []
  let onLine = () => {}
  out.on('line', (l) => {
    lines.push(l)
    onLine()
  })
  const next = (n) => new Promise((resolve) => {
    const check = () => lines.length >= n && resolve(lines[n - 1])
    onLine = check
    check()
  })
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  assert.equal(await Promise.race([next(1), exited.then(() => 'exited')]), 'ready')
  return {
    child,
    exited,
    go: () => child.stdin.end('go\n'),
    result: async () => {
      const line = await Promise.race([next(2), exited.then(() => lines[1])])
      assert.ok(line, 'the worker printed no result')
      const r = JSON.parse(line)
      for (const l of r.lines) recordLine(l)
      return r
    },
  }
}

test('8 processes × 25 concurrent getAccessToken() on a cold store: 1 JWT grant, 200 equal tokens', { timeout: 90_000 }, async (t) => {
  const fleet = await Promise.all(Array.from({ length: 8 }, () => worker({})))
  for (const w of fleet) w.go()
  const results = await Promise.all(fleet.map((w) => w.result()))
  const tokens = results.flatMap((r) => r.tokens)
  assert.equal(tokens.length, 200)
  assert.equal(new Set(tokens).size, 1)
  assert.equal(coze.jwtHits, 1)
  assert.equal(coze.jwtRequests.filter((r) => r.status === 200).length, 1)
  const firsts = results.map((r) => Math.round(r.firstMs)).sort((a, b) => a - b)
  t.diagnostic(`JWT grants seen: ${coze.jwtHits}; ms from "go" to each process's first token: ${firsts.join(', ')}`)
  // The store holds the token and no lock once all is done.
  const keys = (await client.sendCommand(['KEYS', '*'])).sort()
  assert.equal(keys.length, 1)
  assert.match(keys[0], /^coze-auth:jwt:[A-Za-z0-9_-]{43}$/)
})

test('the lock holder killed mid-mint: another process mints once the lock expires, nobody hangs', { timeout: 90_000 }, async (t) => {
  const timeoutMs = 3000
  const lockMs = timeoutMs + 1000
  coze.setFault('hang', { times: 1 }) // the holder's grant never gets an answer
  const holder = await worker({ timeoutMs, calls: 5 })
  holder.go()
  while (!coze.requests.some((r) => r.path === '/api/permission/oauth2/token')) await sleep(5)
  const lockedAt = Date.now() // the holder took the lock just before its request arrived
  const waiters = await Promise.all(Array.from({ length: 3 }, () => worker({ timeoutMs })))
  for (const w of waiters) w.go()
  await sleep(300) // the waiters are polling behind the holder's lock
  assert.ok(await client.sendCommand(['KEYS', '*:lock']).then((k) => k.length === 1), 'the holder has the lock')
  holder.child.kill('SIGKILL')
  assert.equal((await holder.exited).signal, 'SIGKILL')
  const results = await Promise.all(waiters.map((w) => w.result()))
  const doneAt = Date.now()
  const tokens = results.flatMap((r) => r.tokens)
  assert.equal(tokens.length, 75)
  assert.equal(new Set(tokens).size, 1)
  assert.equal(coze.jwtHits, 1, 'one grant, by the process that took over')
  const takeover = doneAt - lockedAt
  t.diagnostic(`takeover: the waiters' token ${takeover} ms after the holder locked (lock ${lockMs} ms, request timeout ${timeoutMs} ms); JWT grants seen: ${coze.jwtHits}`)
  assert.ok(takeover >= lockMs - 200, `not before the lock expired (${takeover} ms)`)
  assert.ok(takeover <= lockMs + timeoutMs, `within the lock's expiry plus one request (${takeover} ms)`)
})
