// Device flow polling, side by side, against the mock Coze on 127.0.0.1:
//   1. Policy: the server answers pending, pending, slow_down, then a token, and says
//      `interval: 1`. For each client: the number of polls, the gap before each (the first is
//      measured from the device code), and the total time.
//   2. Abort latency: the time from `abort()` to the promise settling, while the client sleeps
//      between polls and while a poll hangs.
// Clients: coze-auth (pkg/node), @coze/api 1.3.9 `getDeviceToken({poll: true})`, and the loop
// that oauth4webapi documents for the device flow (its README), wired to Coze's paths. Coze
// (and the mock) takes JSON bodies only, so oauth4webapi gets a customFetch that re-encodes its
// form bodies as JSON: this measures its loop, not its wire format.
// The error answers carry both `error_code` and `error` with HTTP 400, the one encoding every
// client understands (with `error_code` only, @coze/api ends at the first pending answer).
//
//   node bench/device.mjs        (prints a markdown section; takes about a minute)

import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as oauth from 'oauth4webapi'
import { getDeviceCode, getDeviceToken } from '@coze/api'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { DeviceOAuthApp } = await import(pathToFileURL(path.join(ROOT, 'pkg', 'node', 'index.mjs')).href)
const { startMockCoze, TOKEN_PATH } = await import(pathToFileURL(path.join(ROOT, 'mock-coze', 'server.mjs')).href)

const CLIENT_ID = 'bench-device-client'
const POLICY_SCRIPT = { interval: 1, pending: 3, slowDown: [2], encoding: 'both', status: 400 }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// --- the three clients: start(coze, signal) -> { userCode, done: Promise } -----------------

const ours = {
  name: 'coze-auth',
  async start(coze, signal) {
    const app = new DeviceOAuthApp({ clientId: CLIENT_ID, baseURL: coze.url })
    const dc = await app.getDeviceCode()
    return { userCode: dc.user_code, done: app.getAccessToken({ deviceCode: dc.device_code, poll: true, signal }) }
  },
}

const cozeApi = {
  name: '@coze/api 1.3.9',
  async start(coze, signal) {
    const dc = await getDeviceCode({ baseURL: coze.url, clientId: CLIENT_ID })
    return {
      userCode: dc.user_code,
      done: getDeviceToken({ baseURL: coze.url, clientId: CLIENT_ID, deviceCode: dc.device_code, poll: true }, { signal }),
    }
  },
}

/** Re-encodes oauth4webapi's form bodies as the JSON Coze takes. */
const jsonFetch = (url, init) => {
  const body = Object.fromEntries(new URLSearchParams(init.body))
  const headers = new Headers(init.headers)
  headers.set('content-type', 'application/json')
  return fetch(url, { ...init, headers, body: JSON.stringify(body) })
}

const o4w = {
  name: 'oauth4webapi 3.8.8 (documented loop)',
  async start(coze, signal) {
    const as = {
      issuer: coze.url,
      device_authorization_endpoint: `${coze.url}/api/permission/oauth2/device/code`,
      token_endpoint: `${coze.url}${TOKEN_PATH}`,
    }
    const client = { client_id: CLIENT_ID }
    const options = { [oauth.allowInsecureRequests]: true, [oauth.customFetch]: jsonFetch, signal }
    const auth = await oauth.processDeviceAuthorizationResponse(
      as,
      client,
      await oauth.deviceAuthorizationRequest(as, client, oauth.None(), new URLSearchParams(), options),
    )
    const done = (async () => {
      let interval = auth.interval ?? 5
      for (;;) {
        await sleep(interval * 1000) // the README's `wait(interval)`
        const response = await oauth.deviceCodeGrantRequest(as, client, oauth.None(), auth.device_code, options)
        try {
          return await oauth.processDeviceCodeResponse(as, client, response)
        } catch (err) {
          if (err instanceof oauth.ResponseBodyError) {
            if (err.error === 'slow_down') interval += 5
            if (err.error === 'slow_down' || err.error === 'authorization_pending') continue
          }
          throw err
        }
      }
    })()
    return { userCode: auth.user_code, done }
  },
}

const CLIENTS = [ours, cozeApi, o4w]

// --- 1. policy ------------------------------------------------------------------------------

async function policy(client) {
  const coze = await startMockCoze({ port: 0 })
  try {
    coze.setDeviceScript(POLICY_SCRIPT)
    const t0 = Date.now()
    const { userCode, done } = await client.start(coze)
    let outcome = 'token'
    try {
      const token = await done
      if (!token?.access_token) outcome = 'no token'
    } catch (e) {
      outcome = `error: ${e?.code ?? ''} ${e?.message ?? e}`.slice(0, 80)
    }
    const polls = coze.devicePolls.filter((p) => p.userCode === userCode)
    const gaps = polls.map((p, i) => (i === 0 ? p.sinceIssuedMs : p.gapMs))
    return { polls: polls.length, gaps, answers: polls.map((p) => p.answer), tooEarly: polls.filter((p) => p.tooEarly).length, totalMs: Date.now() - t0, outcome }
  } finally {
    await coze.close()
  }
}

// --- 2. abort latency -----------------------------------------------------------------------

async function abortLatency(client, where) {
  const coze = await startMockCoze({ port: 0 })
  try {
    coze.setDeviceScript({ interval: 1, pending: Infinity, encoding: 'both', status: 400 })
    const controller = new AbortController()
    const { done } = await client.start(coze, controller.signal)
    const settled = done.then(() => 'resolved', (e) => `rejected (${e?.code ?? e?.name ?? 'error'})`)
    if (where === 'sleeping') {
      // Just after the first pending answer, when a client has its whole sleep ahead (the worst
      // case for a sleep that ignores the signal: 5 s for @coze/api, 1 s for the loop).
      while (coze.devicePolls.length < 1) await sleep(5)
      await sleep(50)
    } else {
      coze.setFault('hang', { times: 1000, path: TOKEN_PATH })
      const before = coze.requests.filter((r) => r.path === TOKEN_PATH).length
      while (coze.requests.filter((r) => r.path === TOKEN_PATH).length === before) await sleep(10)
      await sleep(200)
    }
    const t0 = performance.now()
    controller.abort()
    const how = await Promise.race([settled, sleep(15000).then(() => 'not settled after 15 s')])
    return { ms: performance.now() - t0, how }
  } finally {
    await coze.close()
  }
}

// --- report ---------------------------------------------------------------------------------

const fmt = (ms) => (ms == null ? '–' : `${(ms / 1000).toFixed(2)} s`)
const rows = []
for (const client of CLIENTS) rows.push([client, await policy(client)])
const aborts = []
for (const client of CLIENTS) {
  aborts.push([client, await abortLatency(client, 'sleeping'), await abortLatency(client, 'request')])
}

const base = rows[0][1]
console.log('## Device flow polling (mock Coze: pending, pending, slow_down, token; `interval: 1`)')
console.log()
console.log('| client | polls | gap before each poll | answers | polls too early | total | vs coze-auth | outcome |')
console.log('|---|---:|---|---|---:|---:|---:|---|')
for (const [client, r] of rows) {
  console.log(`| ${client.name} | ${r.polls} | ${r.gaps.map(fmt).join(', ')} | ${r.answers.join(', ')} | ${r.tooEarly} | ${fmt(r.totalMs)} | ${(r.totalMs / base.totalMs).toFixed(2)}× | ${r.outcome} |`)
}
console.log()
console.log('## Abort latency (from `abort()` to the promise settling)')
console.log()
console.log('| client | while sleeping between polls | while a poll hangs |')
console.log('|---|---:|---:|')
for (const [client, s, r] of aborts) {
  console.log(`| ${client.name} | ${s.ms.toFixed(1)} ms, ${s.how} | ${r.ms.toFixed(1)} ms, ${r.how} |`)
}
console.log()
console.log('Gaps are measured by the mock server from its own clock: the first from when it issued the device code.')
process.exit(0)
