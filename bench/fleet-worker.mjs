// One process of bench/fleet.mjs's fleet: loads its client, says "ready", waits for "go" on
// stdin (so the fleet starts together), makes `calls` concurrent token calls, prints one JSON
// line: the milliseconds from "go" to its first token and to its last. argv[2]: JSON options
// { mode: 'store' | 'local' | 'coze-api', cozeUrl, redisUrl, calls }.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'

const o = JSON.parse(process.argv[2])
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const PEM = readFileSync(path.join(ROOT, 'tests', 'fixtures', 'jwt-key-pkcs8.pem'), 'utf8')
const APP_ID = 'bench-fleet-app'
const KID = 'bench-fleet-kid'

let call
let client
if (o.mode === 'coze-api') {
  const { getJWTToken } = await import('@coze/api')
  const aud = new URL(o.cozeUrl).host
  call = () => getJWTToken({ baseURL: o.cozeUrl, appId: APP_ID, aud, keyid: KID, privateKey: PEM })
} else {
  const { OAuthJWTFlow } = await import(pathToFileURL(path.join(ROOT, 'pkg', 'node', 'index.mjs')).href)
  let tokenStore
  if (o.mode === 'store') {
    const { redisTokenStore } = await import(pathToFileURL(path.join(ROOT, 'pkg', 'node', 'redis.mjs')).href)
    const { createClient } = await import('redis')
    client = await createClient({ url: o.redisUrl }).on('error', () => {}).connect()
    tokenStore = redisTokenStore(client)
  }
  const flow = new OAuthJWTFlow({ baseURL: o.cozeUrl, appId: APP_ID, keyid: KID, privateKey: PEM, ...(tokenStore ? { tokenStore } : {}) })
  call = () => flow.getAccessToken()
}
process.stdout.write('ready\n')
// stdin is closed as soon as "go" arrives: an open one would keep this process alive.
const stdin = createInterface({ input: process.stdin })
await new Promise((resolve) => stdin.once('line', resolve))
stdin.close()
process.stdin.destroy()
const go = performance.now()
let firstMs
await Promise.all(
  Array.from({ length: o.calls }, () =>
    call().then((t) => {
      if (!t?.access_token) throw new Error('no token')
      firstMs ??= performance.now() - go
    }),
  ),
)
process.stdout.write(JSON.stringify({ firstMs, lastMs: performance.now() - go }) + '\n')
await client?.close()
