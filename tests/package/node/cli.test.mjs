// The `coze-auth` CLI of the BUILT package (tests/package/node/node_modules/coze-auth/bin), run as a child
// process against the mock Coze: safe file writes, control characters from the server, and the
// saved login (`token`, `status`, `logout`). Every line the CLI writes on stderr goes to the
// hygiene sweep (recordLine), which fails the run if one holds a token.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import {
  chmodSync, chownSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync,
  statSync, symlinkSync, unlinkSync, writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeviceOAuthApp } from 'coze-auth'
import { recordLine } from './hygiene.mjs'
import { startMockCoze, TOKEN_PATH } from '../../../mock-coze/server.mjs'

const CLIENT_ID = 'cli-client-1'
const require = createRequire(import.meta.url)
const CLI = join(require.resolve('coze-auth/package.json'), '..', 'bin', 'coze-auth.mjs')
const nowS = () => Math.floor(Date.now() / 1000)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const tempDir = () => mkdtempSync(join(tmpdir(), 'coze-auth-cli-'))
const mode = (path) => statSync(path).mode & 0o777
/** Any control character but the line feed, which ends stderr lines. */
const CONTROL_BUT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

/**
 * Runs the CLI; resolves with {code, stdout, stderr, ms}. `config` becomes XDG_CONFIG_HOME (a
 * fresh folder by default, never the real ~/.config); `umask` runs it under that umask.
 */
function cli(args, { config = tempDir(), umask, env = {} } = {}) {
  const started = Date.now()
  return new Promise((resolve) => {
    const [cmd, argv] = umask === undefined
      ? [process.execPath, [CLI, ...args]]
      : ['/bin/sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, CLI, ...args]]
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: config, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => {
      for (const line of stderr.split('\n')) recordLine(line)
      resolve({ code, stdout, stderr, ms: Date.now() - started })
    })
  })
}

async function withMock(fn, script = { interval: 1 }) {
  const coze = await startMockCoze({ port: 0 })
  if (script) coze.setDeviceScript(script)
  try {
    return await fn(coze)
  } finally {
    await coze.close()
  }
}

const refreshes = (coze) => coze.requests.filter((r) => r.path === TOKEN_PATH && JSON.parse(r.body).grant_type === 'refresh_token').length
const oneLine = (text) => text.endsWith('\n') && !text.slice(0, -1).includes('\n')

/** A token the mock issued (device grant, one poll), without the CLI. */
async function mockToken(coze) {
  const app = new DeviceOAuthApp({ clientId: CLIENT_ID, baseURL: coze.url })
  const dc = await app.getDeviceCode()
  return app.getAccessToken({ deviceCode: dc.device_code })
}

/** Writes a saved login for a fresh mock token whose access token expires in `expiresIn` s; returns it. */
async function seed(coze, file, { expiresIn = 600 } = {}) {
  const t = await mockToken(coze)
  const creds = {
    version: 1, client_id: CLIENT_ID, base_url: coze.url,
    access_token: t.access_token, refresh_token: t.refresh_token, expires_at: nowS() + expiresIn, token_type: 'Bearer',
  }
  writeFileSync(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 })
  return creds
}

const loginArgs = (coze, ...more) => ['login', '--client-id', CLIENT_ID, '--base-url', coze.url, '--no-qr', ...more]

describe('safe file writes', { concurrency: true, timeout: 30_000 }, () => {
  test('a bad --out fails before any request reaches Coze, and writes nothing', async () => {
    await withMock(async (coze) => {
      const dir = tempDir()
      const file = join(dir, 'a-file')
      writeFileSync(file, 'x')
      mkdirSync(join(dir, 'a-folder'))
      for (const out of [join(dir, 'missing', 'token.json'), join(dir, 'a-folder'), join(file, 'token.json')]) {
        const r = await cli(loginArgs(coze, '--out', out))
        assert.ok(r.code === 1 || r.code === 2, `${out}: exit ${r.code} ${r.stderr}`)
        assert.ok(oneLine(r.stderr) && r.stderr.startsWith('coze-auth: '), r.stderr)
        assert.equal(r.stdout, '')
      }
      assert.equal(coze.requests.length, 0, 'a device code was requested: the user would authorize, then lose the token')
      assert.deepEqual(readdirSync(dir).sort(), ['a-file', 'a-folder'])
      assert.deepEqual(readdirSync(join(dir, 'a-folder')), [])
    })
  })

  test('a symbolic link as --out (or as the credentials file) is refused, and its target is untouched', async () => {
    await withMock(async (coze) => {
      const dir = tempDir()
      const victim = join(dir, 'victim')
      writeFileSync(victim, 'precious', { mode: 0o644 })
      symlinkSync(victim, join(dir, 'link.json'))
      symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.json'))
      for (const args of [['--out', join(dir, 'link.json')], ['--out', join(dir, 'dangling.json')], ['--file', join(dir, 'link.json')]]) {
        const r = await cli(loginArgs(coze, ...args))
        assert.equal(r.code, 1, r.stderr)
        assert.match(r.stderr, /^coze-auth: refusing to write .*symbolic link/)
      }
      assert.equal(coze.requests.length, 0)
      assert.equal(readFileSync(victim, 'utf8'), 'precious')
      assert.equal(mode(victim), 0o644)
      assert.equal(existsSync(join(dir, 'nowhere')), false)
    })
  })

  test("another user's file is refused as --out and as the credentials file", { skip: process.getuid?.() !== 0 && 'needs root to chown' }, async () => {
    await withMock(async (coze) => {
      const dir = tempDir()
      const theirs = join(dir, 'theirs.json')
      writeFileSync(theirs, 'theirs', { mode: 0o644 })
      chownSync(theirs, 65534, 65534)
      for (const flag of ['--out', '--file']) {
        const r = await cli(loginArgs(coze, flag, theirs))
        assert.equal(r.code, 1, r.stderr)
        assert.match(r.stderr, /^coze-auth: refusing to write .*another user \(uid 65534\)/)
      }
      assert.equal(coze.requests.length, 0)
      assert.equal(readFileSync(theirs, 'utf8'), 'theirs')
      assert.equal(lstatSync(theirs).uid, 65534)
    })
  })

  test('the token never lands in a file with a wider mode: a new private file replaces the old one', async () => {
    await withMock(async (coze) => {
      const dir = tempDir()
      const out = join(dir, 'token.json')
      const config = tempDir()
      writeFileSync(out, 'old', { mode: 0o644 })
      const oldIno = statSync(out).ino
      const fd = openSync(out, 'r') // what anyone who opened the old, world-readable file sees
      try {
        const r = await cli(loginArgs(coze, '--out', out), { config, umask: '000' })
        assert.equal(r.code, 0, r.stderr)
        const buf = Buffer.alloc(4096)
        const n = readSync(fd, buf, 0, buf.length, 0)
        assert.equal(buf.subarray(0, n).toString(), 'old', 'the token was written into the 0644 file')
      } finally {
        closeSync(fd)
      }
      assert.notEqual(statSync(out).ino, oldIno)
      assert.equal(mode(out), 0o600)
      assert.match(JSON.parse(readFileSync(out, 'utf8')).access_token, /^czs_/)
      assert.deepEqual(readdirSync(dir), ['token.json'], 'a temporary file was left behind')
      assert.equal(mode(join(config, 'coze-auth', 'credentials.json')), 0o600, 'umask 000 widened the credentials file')
      assert.deepEqual(readdirSync(join(config, 'coze-auth')), ['credentials.json'], 'a temporary or lock file was left behind')
    })
  })
})

describe('control characters from the server', { concurrency: true, timeout: 30_000 }, () => {
  // [script, what refuses it]: the package itself refuses a verification URI with C0/C1
  // controls (not an http(s) URL); the CLI refuses the rest before printing anything.
  const byCli = /^coze-auth: refusing the device code from .*: its (user_code|verification_uri|verification_url) contains control characters\.\n$/
  const byPackage = /^coze-auth: Coze's device-code response has a `verification_uri` that is not an http\(s\) URL\.\n$/
  const hostile = {
    'user_code with ESC (clear screen)': [() => ({ userCode: '\x1b[2J\x1b[HABCD-EFGH' }), byCli],
    'user_code with a C1 CSI': [() => ({ userCode: 'ABCD\u009b2J-EFGH' }), byCli],
    'user_code with DEL': [() => ({ userCode: 'ABCD-EFG\x7f' }), byCli],
    'user_code with a bidi override': [() => ({ userCode: 'ABCD-\u202eHGFE' }), byCli],
    'verification_uri with a bidi override': [(url) => ({ verificationUri: `${url}/device/\u202etxt.exe` }), byCli],
    'verification_uri with an OSC 8 hyperlink': [(url) => ({ verificationUri: `${url}/device\x1b]8;;https://evil.example/\x07` }), byPackage],
    'verification_url field with a C1 CSI': [(url) => ({ verificationField: 'verification_url', verificationUri: `${url}/device\u009b2J` }), byPackage],
  }
  for (const [name, [script, refusal]] of Object.entries(hostile)) {
    test(`a device code whose ${name} is refused before anything is printed`, async () => {
      await withMock(async (coze) => {
        coze.setDeviceScript({ interval: 1, ...script(coze.url) })
        const r = await cli(loginArgs(coze))
        assert.equal(r.code, 1, r.stderr)
        assert.doesNotMatch(r.stderr, CONTROL_BUT_LF)
        assert.match(r.stderr, refusal)
        assert.equal(coze.devicePolls.length, 0, 'the flow went on with a refused code')
        assert.equal(r.stdout, '')
      }, null)
    })
  }

  test("the server's error text reaches the terminal without control characters, on one line", async () => {
    await withMock(async (coze) => {
      const r = await cli(loginArgs(coze))
      assert.equal(r.code, 1)
      assert.doesNotMatch(r.stderr, CONTROL_BUT_LF)
      const last = r.stderr.trimEnd().split('\n').at(-1)
      assert.match(last, /^coze-auth: .*access_denied.*denied\[2J\]0;owned second line/)
    }, { interval: 1, outcome: 'deny', errorMessage: 'denied\x1b[2J\x1b]0;owned\x07\nsecond line\u009b31m' })
  })
})

describe('saved login: token, status, logout', { concurrency: true, timeout: 60_000 }, () => {
  test('login saves the login (0600, in a 0700 folder); token prints it with no request; a refresh keeps 0600', async () => {
    await withMock(async (coze) => {
      const config = join(tempDir(), 'config') // does not exist yet
      const file = join(config, 'coze-auth', 'credentials.json')
      const login = await cli(loginArgs(coze), { config, umask: '022' })
      assert.equal(login.code, 0, login.stderr)
      const printed = JSON.parse(login.stdout)
      assert.equal(mode(join(config, 'coze-auth')), 0o700)
      assert.equal(mode(file), 0o600)
      const saved = JSON.parse(readFileSync(file, 'utf8'))
      assert.deepEqual(
        [saved.client_id, saved.base_url, saved.access_token, saved.refresh_token, saved.expires_at],
        [CLIENT_ID, coze.url, printed.access_token, printed.refresh_token, printed.expires_in],
      )
      assert.ok(saved.expires_at > nowS() + 600, 'the expiry is absolute Unix seconds')

      const requests = coze.requests.length
      const t = await cli(['token'], { config })
      assert.deepEqual([t.code, t.stdout, t.stderr], [0, printed.access_token + '\n', ''])
      assert.equal(coze.requests.length, requests)

      writeFileSync(file, JSON.stringify({ ...saved, expires_at: nowS() + 30 }), { mode: 0o600 })
      const r = await cli(['token'], { config })
      assert.equal(r.code, 0, r.stderr)
      const next = coze.issued.at(-1)
      assert.equal(next.grant_type, 'refresh_token')
      assert.equal(r.stdout, next.access_token + '\n')
      assert.equal(refreshes(coze), 1)
      assert.equal(mode(file), 0o600)
      const after = JSON.parse(readFileSync(file, 'utf8'))
      assert.deepEqual([after.access_token, after.refresh_token, after.expires_at], [next.access_token, next.refresh_token, next.expires_in])
      assert.equal(coze.refreshTokens.get(saved.refresh_token).active, false, 'the old refresh token still works: no rotation happened')
      assert.deepEqual(readdirSync(join(config, 'coze-auth')), ['credentials.json'])
    })
  })

  test('a saved unexpired token is printed without any request to Coze', async () => {
    await withMock(async (coze) => {
      const dir = tempDir()
      const file = join(dir, 'creds.json')
      const creds = await seed(coze, file, { expiresIn: 600 })
      const requests = coze.requests.length
      const r = await cli(['token', '--file', file])
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, creds.access_token + '\n', ''])
      assert.equal(coze.requests.length, requests)
    })
  })

  test('the refresh margin is 2 minutes', async () => {
    await withMock(async (coze) => {
      const dir = tempDir()
      const file = join(dir, 'creds.json')
      const later = await seed(coze, file, { expiresIn: 150 })
      const a = await cli(['token', '--file', file])
      assert.equal(a.stdout, later.access_token + '\n')
      assert.equal(refreshes(coze), 0)
      const soon = await seed(coze, file, { expiresIn: 100 })
      const b = await cli(['token', '--file', file])
      assert.equal(b.code, 0, b.stderr)
      assert.notEqual(b.stdout, soon.access_token + '\n')
      assert.equal(refreshes(coze), 1)
    })
  })

  test('five concurrent `coze-auth token` on an expiring token refresh once and print the same token', async () => {
    await withMock(async (coze) => {
      const dir = tempDir()
      const file = join(dir, 'creds.json')
      const old = await seed(coze, file, { expiresIn: 30 })
      const runs = await Promise.all(Array.from({ length: 5 }, () => cli(['token', '--file', file])))
      for (const r of runs) assert.equal(r.code, 0, r.stderr)
      assert.equal(refreshes(coze), 1, 'more than one process refreshed')
      const next = coze.issued.at(-1)
      assert.equal(next.grant_type, 'refresh_token')
      assert.deepEqual(runs.map((r) => r.stdout), Array(5).fill(next.access_token + '\n'))
      assert.notEqual(next.access_token, old.access_token)
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).refresh_token, next.refresh_token)
      assert.equal(mode(file), 0o600)
      assert.deepEqual(readdirSync(dir), ['creds.json'], 'a lock or temporary file was left behind')
    })
  })

  test('a stale lock (dead process, or older than 30 s) is taken over; a live one is waited for', async () => {
    await withMock(async (coze) => {
      const dir = tempDir()
      const file = join(dir, 'creds.json')
      const lock = file + '.lock'
      const dead = spawnSync(process.execPath, ['-e', '']).pid
      const host = (await import('node:os')).hostname()
      for (const held of [{ pid: dead, host, time: Date.now() }, { pid: process.pid, host, time: Date.now() - 60_000 }]) {
        await seed(coze, file, { expiresIn: 30 })
        writeFileSync(lock, JSON.stringify({ ...held, id: 'x' }))
        const before = refreshes(coze)
        const r = await cli(['token', '--file', file])
        assert.equal(r.code, 0, r.stderr)
        assert.equal(refreshes(coze), before + 1)
        assert.equal(existsSync(lock), false)
      }
      await seed(coze, file, { expiresIn: 30 })
      writeFileSync(lock, JSON.stringify({ pid: process.pid, host, time: Date.now(), id: 'live' }))
      const before = refreshes(coze)
      const waiting = cli(['token', '--file', file])
      await sleep(1500)
      assert.equal(refreshes(coze), before, 'refreshed while another process held the lock')
      unlinkSync(lock)
      const r = await waiting
      assert.equal(r.code, 0, r.stderr)
      assert.equal(refreshes(coze), before + 1)
    })
  })

  test('a refresh token Coze rejects: one line telling to log in, exit 1, the file kept', async () => {
    await withMock(async (coze) => {
      const dir = tempDir()
      const file = join(dir, 'creds.json')
      const creds = await seed(coze, file, { expiresIn: 30 })
      await new DeviceOAuthApp({ clientId: CLIENT_ID, baseURL: coze.url }).refreshAccessToken(creds.refresh_token) // burns it
      const before = readFileSync(file, 'utf8')
      const r = await cli(['token', '--file', file])
      assert.equal(r.code, 1)
      assert.equal(r.stdout, '')
      assert.ok(oneLine(r.stderr), r.stderr)
      assert.match(r.stderr, /^coze-auth: Coze refused the saved login \(invalid_grant\): run `coze-auth login /)
      assert.equal(readFileSync(file, 'utf8'), before)
    })
  })

  test('a network failure or a 5xx is another one-line message, and keeps the saved login', async () => {
    const dir = tempDir()
    const file = join(dir, 'creds.json')
    await withMock(async (coze) => {
      await seed(coze, file, { expiresIn: 30 })
      coze.setFault('http_500_empty')
      const r = await cli(['token', '--file', file])
      assert.equal(r.code, 1)
      assert.ok(oneLine(r.stderr), r.stderr)
      assert.match(r.stderr, /^coze-auth: could not refresh the token: .*The saved login is kept: try again\.\n$/)
    })
    const before = readFileSync(file, 'utf8') // the mock is closed now: nothing listens on its port
    const r = await cli(['token', '--file', file])
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    assert.ok(oneLine(r.stderr), r.stderr)
    assert.match(r.stderr, /^coze-auth: could not reach Coze at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\) to refresh the token\. The saved login is kept/)
    assert.doesNotMatch(r.stderr, /coze-auth login/)
    assert.equal(readFileSync(file, 'utf8'), before)
  })

  test('token refuses to refresh into a credentials file it could not rewrite (the refresh token would be lost)', async () => {
    await withMock(async (coze) => {
      const dir = tempDir()
      const real = join(dir, 'real.json')
      await seed(coze, real, { expiresIn: 30 })
      symlinkSync(real, join(dir, 'creds.json'))
      const r = await cli(['token', '--file', join(dir, 'creds.json')])
      assert.equal(r.code, 1)
      assert.match(r.stderr, /^coze-auth: refusing to write .*symbolic link/)
      assert.equal(refreshes(coze), 0)
    })
  })

  test('logout removes the login; then token exits 1 with one line telling to log in', async () => {
    await withMock(async (coze) => {
      const config = tempDir()
      mkdirSync(join(config, 'coze-auth'))
      await seed(coze, join(config, 'coze-auth', 'credentials.json'))
      const out = await cli(['logout'], { config })
      assert.equal(out.code, 0, out.stderr)
      assert.match(out.stderr, /Logged out: removed .*credentials\.json/)
      assert.deepEqual(readdirSync(join(config, 'coze-auth')), [])
      const t = await cli(['token'], { config })
      assert.equal(t.code, 1)
      assert.equal(t.stdout, '')
      assert.ok(oneLine(t.stderr), t.stderr)
      assert.match(t.stderr, /^coze-auth: not logged in .*run `coze-auth login --client-id ID`/)
      const again = await cli(['logout'], { config })
      assert.equal(again.code, 0)
      assert.match(again.stderr, /Not logged in/)
    })
  })

  test('status shows the app, the base URL and the expiry, never a token', async () => {
    await withMock(async (coze) => {
      const dir = tempDir()
      const file = join(dir, 'creds.json')
      const creds = await seed(coze, file, { expiresIn: 900 })
      const r = await cli(['status', '--file', file])
      assert.equal(r.code, 0, r.stderr)
      assert.ok(r.stdout.includes(CLIENT_ID) && r.stdout.includes(coze.url))
      assert.ok(r.stdout.includes(new Date(creds.expires_at * 1000).toISOString().slice(0, 16)), r.stdout)
      assert.match(r.stdout, /\(in 1[45] min( \d+ s)?\)/)
      for (const text of [r.stdout, r.stderr]) {
        assert.ok(!text.includes(creds.access_token) && !text.includes(creds.refresh_token), 'status printed a token')
      }
      writeFileSync(file, JSON.stringify({ ...creds, expires_at: nowS() - 3600 }))
      chmodSync(file, 0o644)
      const expired = await cli(['status', '--file', file])
      assert.match(expired.stdout, /\(1 h ago; `coze-auth token` refreshes it\)/)
      assert.match(expired.stdout, /warning: other users may read this file \(mode 0644\)/)
      const none = await cli(['status', '--file', join(dir, 'none.json')])
      assert.equal(none.code, 1)
      assert.match(none.stderr, /^coze-auth: not logged in .*coze-auth login --client-id ID --file /)
    })
  })

  test('each command takes only its own options', async () => {
    for (const args of [['token', '--client-id', 'x'], ['status', '--out', 'x'], ['logout', '--no-qr'], ['login', '--client-id', 'x', '--out', 'same.json', '--file', 'same.json'], ['token', 'extra']]) {
      const r = await cli(args)
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /^coze-auth: /)
    }
  })
})
