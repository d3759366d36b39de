// One process of a fleet (fleet.redis.mjs): an OAuthJWTFlow over redisTokenStore, told by its
// parent when to start (a line on stdin, so all processes start together), then `calls`
// concurrent getAccessToken(). Prints "ready" once connected, then one JSON line: the tokens,
// the milliseconds from "go" to the first token, and its logger lines (for the parent's hygiene
// check). Options come as JSON in argv[2].
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { OAuthJWTFlow } from 'coze-auth'
import { redisTokenStore } from 'coze-auth/redis'
import { connect } from './redis-server.mjs'

const o = JSON.parse(process.argv[2])
// A worker never outlives a stuck test: it says where it was, and exits.
let stage = 'connecting to Redis'
setTimeout(() => {
  process.stderr.write(`fleet-worker ${process.pid}: still ${stage} after 60 s; exiting\n`)
  process.exit(3)
}, 60_000).unref()
const privateKey = readFileSync(new URL('../../../fixtures/jwt-key-pkcs8.pem', import.meta.url), 'utf8')
const client = await connect(o.redisUrl)
const lines = []
const flow = new OAuthJWTFlow({
  appId: o.appId,
  keyid: o.kid,
  privateKey,
  baseURL: o.cozeUrl,
  timeoutMs: o.timeoutMs,
  tokenStore: redisTokenStore(client),
  logger: (m, level) => lines.push(`${level} ${m}`),
})
process.stdout.write('ready\n')
stage = 'waiting for "go"'
// stdin is closed as soon as "go" arrives: an open one would keep this process alive.
const stdin = createInterface({ input: process.stdin })
await new Promise((resolve) => stdin.once('line', resolve))
stdin.close()
process.stdin.destroy()
const go = performance.now()
stage = 'in getAccessToken()'
let firstMs
const tokens = await Promise.all(
  Array.from({ length: o.calls }, () =>
    flow.getAccessToken({ durationSeconds: o.durationSeconds }).then((t) => {
      firstMs ??= performance.now() - go
      return t.access_token
    }),
  ),
)
process.stdout.write(JSON.stringify({ pid: process.pid, tokens, firstMs, lines }) + '\n')
stage = 'closing the Redis client'
await client.close()
