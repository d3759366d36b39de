// coze-auth/redis in one process against a real redis-server and the mock Coze: grants that
// differ never share a token, entries in Redis are checked (corrupt ones replaced), the lock is
// deleted by its holder only, the prefix separates, and Redis stopped mid-run costs one warning
// and no failed call. Run by scripts/test-redis.sh.
import { describe, test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { OAuthJWTFlow, botChatScope } from 'coze-auth'
import { redisTokenStore } from 'coze-auth/redis'
import { startMockCoze } from '../../../../mock-coze/server.mjs'
import { recordLine } from '../hygiene.mjs'
import { connect, startRedis } from './redis-server.mjs'

const fixture = (name) => readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), 'utf8')
const PKCS8 = fixture('jwt-key-pkcs8.pem')
const KEY2 = fixture('jwt-key2-pkcs8.pem')
const APP_ID = 'store-app'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

let coze, redis, client
before(async () => {
  coze = await startMockCoze({ port: 0 })
  coze.registerJwtKey('kid-1', fixture('jwt-key-public.pem'), { appId: APP_ID })
  coze.registerJwtKey('kid-2', fixture('jwt-key2-public.pem'))
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

const flowOf = (extra = {}) =>
  new OAuthJWTFlow({ appId: APP_ID, keyid: 'kid-1', privateKey: PKCS8, baseURL: coze.url, timeoutMs: 5000, tokenStore: redisTokenStore(client), ...extra })
const entryKeys = async (pattern = '*') => (await client.sendCommand(['KEYS', pattern])).filter((k) => !k.endsWith(':lock')).sort()

describe('redisTokenStore', () => {
  test('different grant parameters (and apps, keys, base URLs, session contexts) never share a token; equal ones do', async () => {
    const variants = [
      [{}, {}],
      [{}, { durationSeconds: 901 }],
      [{}, { scope: botChatScope(['1']) }],
      [{}, { scope: botChatScope(['2']) }],
      [{}, { accountId: '7' }],
      [{}, { enterpriseId: '7' }],
      [{}, { sessionName: 's' }],
      [{ sessionName: 's2' }, {}],
      [{ sessionContext: { deviceInfo: { deviceId: 'd' } } }, {}],
      [{ appId: 'other-app', keyid: 'kid-2', privateKey: KEY2 }, {}],
      [{ baseURL: `${coze.url}/` }, {}], // the same server spelled otherwise: kept apart, harmlessly
    ]
    const first = []
    for (const [options, params] of variants) first.push((await flowOf(options).getAccessToken(params)).access_token)
    assert.equal(new Set(first).size, variants.length)
    assert.equal(coze.jwtHits, variants.length)
    assert.equal((await entryKeys()).length, variants.length)
    // Another process's flow (a fresh flow here: nothing cached in it) gets the same tokens from Redis.
    for (const [i, [options, params]] of variants.entries()) assert.equal((await flowOf(options).getAccessToken(params)).access_token, first[i])
    assert.equal(coze.jwtHits, variants.length)
  })

  test('an entry holds the token fields only, with Redis expiring it at the lifetime Coze granted', async () => {
    const token = await flowOf().getAccessToken({ durationSeconds: 600 })
    const [key] = await entryKeys()
    assert.deepEqual(JSON.parse(await client.sendCommand(['GET', key])), { v: 1, ...token })
    const pttl = await client.sendCommand(['PTTL', key])
    assert.ok(pttl > 590000 && pttl <= 600000, `PTTL ${pttl}`)
    assert.deepEqual(await client.sendCommand(['KEYS', '*:lock']), [], 'the holder released its lock')
  })

  test('corrupt entries in Redis are ignored and replaced', async () => {
    const first = await flowOf().getAccessToken()
    const [key] = await entryKeys()
    const good = JSON.stringify({ v: 1, ...first })
    const bad = [
      ['SET', key, 'garbage', 'PX', '60000'],
      ['SET', key, JSON.stringify({ v: 1, ...first, access_token: 'with\nnewline' }), 'PX', '60000'],
      ['SET', key, JSON.stringify({ v: 1, access_token: first.access_token }), 'PX', '60000'],
      ['SET', key, good], // no expiry: PTTL -1
      ['HSET', key, 'a', 'b'], // another type: GET fails with WRONGTYPE
    ]
    for (const command of bad) {
      coze.reset()
      await client.sendCommand(['DEL', key])
      await client.sendCommand(command)
      const lines = []
      const token = await flowOf({ logger: (m, level) => { recordLine(m); lines.push(`${level} ${m}`) } }).getAccessToken()
      if (command[0] === 'HSET') {
        // A WRONGTYPE reply is the store failing: minted here, and said once.
        assert.ok(lines.some((l) => l.startsWith('warn ') && l.includes('WRONGTYPE')), lines.join('\n'))
        continue
      }
      assert.equal(coze.jwtHits, 1, command.join(' '))
      assert.notEqual(token.access_token, first.access_token)
      assert.deepEqual(JSON.parse(await client.sendCommand(['GET', key])), { v: 1, ...token }, 'replaced')
      assert.ok((await client.sendCommand(['PTTL', key])) > 0)
      assert.ok(lines.some((l) => l.includes('ignored an entry that is not a valid token')), lines.join('\n'))
    }
  })

  test('the lock: set only if absent, expires by itself, deleted by its holder only', async () => {
    const store = redisTokenStore(client, { prefix: 't:' })
    const a = await store.lock('k', 100)
    assert.ok(a)
    assert.equal(await store.lock('k', 5000), undefined, 'held')
    const pttl = await client.sendCommand(['PTTL', 't:k:lock'])
    assert.ok(pttl > 0 && pttl <= 100)
    await sleep(150)
    const b = await store.lock('k', 5000)
    assert.ok(b, 'expired, so taken')
    await a.release() // too late: b holds it now
    assert.equal(await client.sendCommand(['EXISTS', 't:k:lock']), 1)
    await b.release()
    assert.equal(await client.sendCommand(['EXISTS', 't:k:lock']), 0)
  })

  test('the prefix keys every entry; different prefixes share nothing', async () => {
    const t1 = await flowOf({ tokenStore: redisTokenStore(client, { prefix: 'app1:' }) }).getAccessToken()
    const t2 = await flowOf({ tokenStore: redisTokenStore(client, { prefix: 'app2:' }) }).getAccessToken()
    assert.notEqual(t1.access_token, t2.access_token)
    assert.equal((await entryKeys('app1:jwt:*')).length, 1)
    assert.equal((await entryKeys('app2:jwt:*')).length, 1)
    assert.equal((await entryKeys()).length, 2)
  })

  test('bad arguments; the browser build throws unsupported', () => {
    assert.throws(() => redisTokenStore({}), { code: 'invalid_argument' })
    assert.throws(() => redisTokenStore(null), { code: 'invalid_argument' })
    assert.throws(() => redisTokenStore(client, { prefix: 1 }), { code: 'invalid_argument' })
    const out = execFileSync(process.execPath, ['--conditions=browser', '--input-type=module', '-e', "import { redisTokenStore } from 'coze-auth/redis'; try { redisTokenStore({}) } catch (e) { console.log(e.name, e.code) }"], { cwd: new URL('..', import.meta.url), encoding: 'utf8' })
    assert.equal(out.trim(), 'CozeAuthError unsupported')
  })

  test('Redis stopped mid-run: every call succeeds through local mints, with one warning', async (t) => {
    const own = await startRedis()
    const ownClient = await connect(own.url)
    const lines = []
    const flow = flowOf({ tokenStore: redisTokenStore(ownClient), storeTimeoutMs: 200, logger: (m, level) => { recordLine(m); lines.push([m, level]) } })
    const took = []
    for (let i = 0; i < 30; i++) {
      if (i === 10) await own.stop()
      const started = Date.now()
      // A new session name each call: each is a new grant, so each goes to the store (or past it).
      const token = await flow.getAccessToken({ sessionName: `s${i}` })
      assert.match(token.access_token, /^czs_mock_jwt_/)
      took.push(Date.now() - started)
    }
    assert.equal(coze.jwtHits, 30)
    t.diagnostic(`ms per call, Redis stopped before call 11: ${took.join(', ')}`)
    const warnings = lines.filter(([, level]) => level === 'warn')
    assert.equal(warnings.length, 1, JSON.stringify(lines))
    assert.match(warnings[0][0], /token store unavailable/)
    // The failing call waited for the store at most its timeout; the ones after it not at all.
    assert.ok(Math.max(...took.slice(10)) < 200 + 1000, took.join(','))
    assert.ok(took.slice(12).every((ms) => ms < 200), took.join(','))
    await ownClient.destroy()
  })
})
