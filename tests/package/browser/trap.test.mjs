// The browser build's loader (pkg-template/src/wasm.ts) after a trap, in a real Chromium: under
// a 4 MiB WebAssembly memory limit (V8's --wasm-max-mem-pages, as a small device would have), a
// 5 MB client id makes the module's allocator fail, a real WebAssembly.RuntimeError. The call
// must reject with CozeAuthError `internal` (the trap as its cause), and the next call must run
// on a fresh instance.
//
//   node --test tests/package/browser/trap.test.mjs   (needs pkg/browser, `npm run build`)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { CHROMIUM } from './chromium.mjs'
import { startDemo } from '../../../scripts/demo.mjs'

test('browser build: a trap is CozeAuthError internal, and the next call runs on a fresh instance', { timeout: 30_000, skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}` }, async () => {
  const demo = await startDemo({ port: 0, mockPort: 0, env: {} })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--js-flags=--wasm-max-mem-pages=64'],
  })
  try {
    const page = await browser.newPage()
    // Any page of the demo's origin (not the demo itself): the package is served under /pkg/.
    await page.goto(`${demo.url}/pkg/package.json`)
    const out = await page.evaluate(async () => {
      // Counts the module's instances (the package's own code is not touched).
      let instances = 0
      const instantiate = WebAssembly.instantiate
      WebAssembly.instantiate = (...args) => {
        instances++
        return instantiate.apply(WebAssembly, args)
      }
      const { PKCEOAuthApp, CozeAuthError } = await import('/pkg/browser/index.js')
      const redirectUri = 'http://localhost:8080/callback.html'
      const result = {}
      const before = new PKCEOAuthApp({ clientId: 'before-the-trap' })
      await before.getOAuthUrl({ redirectUri })
      try {
        await new PKCEOAuthApp({ clientId: 'x'.repeat(5_000_000) }).getOAuthUrl({ redirectUri })
        result.first = 'resolved'
      } catch (e) {
        result.first = { isCozeAuthError: e instanceof CozeAuthError, code: e.code, cause: e.cause?.constructor?.name }
      }
      result.instancesAtTrap = instances
      const { url } = await new PKCEOAuthApp({ clientId: 'after-the-trap' }).getOAuthUrl({ redirectUri })
      result.after = new URL(url).searchParams.get('client_id')
      // An app made before the trap goes on working too (it asks the loader on each call).
      result.beforeAgain = new URL((await before.getOAuthUrl({ redirectUri })).url).searchParams.get('client_id')
      result.instances = instances
      return result
    })
    assert.deepEqual(out, {
      first: { isCozeAuthError: true, code: 'internal', cause: 'RuntimeError' },
      instancesAtTrap: 1,
      after: 'after-the-trap',
      beforeAgain: 'before-the-trap',
      instances: 2, // the trapped one was replaced, once
    })
  } finally {
    await browser.close()
    await demo.close()
  }
})
