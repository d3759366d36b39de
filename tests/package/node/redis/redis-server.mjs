// A throw-away redis-server (Debian's, installed by scripts/test-redis.sh) for the tests of
// coze-auth/redis: on a free loopback port, nothing persisted, stopped by the test that started
// it (which is how "Redis stopped mid-run" is played).
import { spawn } from 'node:child_process'
import { createClient } from 'redis'
import { freePort } from '../../../support/free-port.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Starts redis-server; resolves once it answers PING: { url, port, stop() }. */
export async function startRedis() {
  const port = await freePort()
  const child = spawn(process.env.REDIS_SERVER ?? 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.once('error', (e) => (stderr += String(e)))
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    const probe = createClient({ url, socket: { reconnectStrategy: false } }).on('error', () => {})
    try {
      await probe.connect()
      await probe.ping()
      await probe.close()
      break
    } catch {
      await probe.destroy?.()
      if (child.exitCode !== null || i >= 100) throw new Error(`redis-server did not start on ${port}: ${stderr || 'no output'} (run scripts/test-redis.sh, which installs it)`)
      await sleep(50)
    }
  }
  return {
    url,
    port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

/** A connected node-redis client whose errors (Redis going away) are ignored, as a service's would be logged. */
export async function connect(url) {
  return createClient({ url }).on('error', () => {}).connect()
}
