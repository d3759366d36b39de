// Load: 10,000 getAccessToken() calls of one OAuthJWTFlow, issued 400 at a time every 100 ms
// while the cached token goes stale every second and each mint takes 150 ms, so that thousands
// wait on a mint at once and the cache expires several times during the run. Checks: every call
// gets a token; never two mints at once; one mint per expiry (each mint starts only once the
// previous token is stale, and every minted token is used); no unhandled rejection; a second
// round of 10,000 leaves the heap (after GC) where the first left it. Figures go to
// target/load.json for README.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import v8 from 'node:v8'
import vm from 'node:vm'
import { OAuthJWTFlow } from 'coze-auth'
import { startMockCoze } from '../../../mock-coze/server.mjs'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')
const heap = () => {
  gc()
  return process.memoryUsage().heapUsed
}
const fixture = (name) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const nowSeconds = () => Math.floor(Date.now() / 1000)
const MARGIN = 30 // the core's margin for the default 900 s lifetime

test('10,000 calls while the cache expires: one mint per expiry, no unhandled rejection, flat heap', { timeout: 60_000 }, async () => {
  const coze = await startMockCoze({ port: 0 })
  coze.registerJwtKey('kid-1', fixture('jwt-key-public.pem'), { appId: 'load-app' })
  const unhandled = []
  const onUnhandled = (e) => unhandled.push(e)
  process.on('unhandledRejection', onUnhandled)
  let inFlight = 0
  let maxInFlight = 0
  const mints = [] // {startedAt (s), token}
  // Each mint: 150 ms of latency, and a token that goes stale one second after it is minted.
  const slowShortLived = async (url, init) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    const startedAt = nowSeconds()
    try {
      await sleep(150)
      const token = await (await fetch(url, init)).json()
      token.expires_in = nowSeconds() + MARGIN + 1
      mints.push({ startedAt, token })
      return new Response(JSON.stringify(token), { status: 200, headers: { 'content-type': 'application/json' } })
    } finally {
      inFlight--
    }
  }
  const flow = new OAuthJWTFlow({ appId: 'load-app', keyid: 'kid-1', privateKey: fixture('jwt-key-pkcs8.pem'), baseURL: coze.url, fetch: slowShortLived })

  /** 10,000 calls, 400 every 100 ms; returns what the checks need (the calls' results are dropped). */
  async function round() {
    const mintsBefore = mints.length
    const calls = []
    for (let batch = 0; batch < 25; batch++) {
      for (let i = 0; i < 400; i++) calls.push(flow.getAccessToken())
      await sleep(100)
    }
    const tokens = await Promise.all(calls)
    assert.equal(tokens.length, 10_000)
    assert.ok(tokens.every((t) => typeof t.access_token === 'string' && t.access_token.startsWith('czs_mock_jwt_')))
    return { run: mints.slice(mintsBefore), served: new Set(tokens.map((t) => t.access_token)) }
  }

  try {
    await flow.getAccessToken() // the module and the key are ready before the heap is measured
    await sleep(1100)
    const heapBefore = heap()
    const first = await round()
    const heapAfterFirst = heap()
    const second = await round()
    const heapAfterSecond = heap()

    for (const { run, served } of [first, second]) {
      assert.ok(run.length >= 2, `the cache expired during the run (${run.length} mints)`)
      const minted = new Set(mints.map((m) => m.token.access_token))
      assert.ok([...served].every((t) => minted.has(t)), 'only minted tokens were served')
      assert.ok(run.every((m) => served.has(m.token.access_token)), 'every mint of the round served callers')
      for (let i = 1; i < run.length; i++) {
        assert.ok(run[i].startedAt >= run[i - 1].token.expires_in - MARGIN, `mint ${i} started before the previous token went stale`)
      }
    }
    assert.equal(maxInFlight, 1, 'two mints were in flight at once')
    assert.equal(coze.jwtHits, mints.length)
    await sleep(50)
    assert.deepEqual(unhandled, [])
    // The first round warms V8 (optimised code, undici's pool); a leak would grow the second.
    assert.ok(heapAfterSecond - heapAfterFirst < 1024 * 1024, `the second 10,000 calls grew the heap by ${heapAfterSecond - heapAfterFirst} bytes`)
    mkdirSync(new URL('../../../target/', import.meta.url), { recursive: true })
    writeFileSync(new URL('../../../target/load.json', import.meta.url), JSON.stringify({ calls: 10_000, mints: [first.run.length, second.run.length], maxInFlight, heapBefore, heapAfterFirst, heapAfterSecond }))
  } finally {
    process.off('unhandledRejection', onUnhandled)
    await coze.close()
  }
})
