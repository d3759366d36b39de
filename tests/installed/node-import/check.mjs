// Node ESM `import` and CJS `require` of every export of the installed tarball: each is
// defined, both ways give the same objects (one CommonJS instance behind both), and the wasm
// module loads (a first authorize URL, no network).
//
//   node tests/installed/node-import/check.mjs      (after the tarball is installed here)

import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import * as esm from 'coze-auth'

const require = createRequire(import.meta.url)
const cjs = require('coze-auth')
// At least these; any export added later is checked the same way (both entries must list it).
const REQUIRED = ['COZE_CN_BASE_URL', 'COZE_COM_BASE_URL', 'CozeAuthError', 'PKCEOAuthApp']
const EXPORTS = Object.keys(esm).sort()

assert.deepEqual(Object.keys(cjs).filter((k) => k !== '__esModule').sort(), EXPORTS, 'require() and import give the same export names')
for (const name of REQUIRED) assert.ok(EXPORTS.includes(name), `${name} is exported`)
for (const name of EXPORTS) {
  assert.notEqual(esm[name], undefined, `import { ${name} }`)
  assert.notEqual(cjs[name], undefined, `require().${name}`)
  assert.equal(esm[name], cjs[name], `${name}: import and require give the same object`)
}
assert.equal(esm.COZE_CN_BASE_URL, 'https://api.coze.cn')
assert.equal(esm.COZE_COM_BASE_URL, 'https://api.coze.com')
assert.equal(typeof esm.PKCEOAuthApp, 'function')
assert.ok(esm.CozeAuthError.prototype instanceof Error)
assert.equal(require.resolve('coze-auth').replaceAll('\\', '/').split('/node_modules/coze-auth/')[1], 'node/index.js')
// The licenses package.json declares ("MIT OR Apache-2.0") ship in the tarball.
const installed = path.join(path.dirname(require.resolve('coze-auth')), '..')
for (const f of ['LICENSE-MIT', 'LICENSE-APACHE', 'README.md']) assert.ok(existsSync(path.join(installed, f)), `the tarball has ${f}`)
// The CommonJS file the ESM entry imports stays tiny, and does not re-export lib.js in a form
// Node's lexer follows (pkg-template/node/index.cjs says why: ~30 ms of start-up).
const shim = readFileSync(path.join(installed, 'node', 'index.js'), 'utf8')
assert.ok(shim.length < 2048, `node/index.js is ${shim.length} bytes: keep the bundle in lib.js`)
assert.doesNotMatch(shim, /module\.exports\s*=\s*require\(/, 'node/index.js must not be `module.exports = require(...)`')
assert.equal(import.meta.resolve('coze-auth').split('/node_modules/coze-auth/')[1], 'node/index.mjs')

// An error thrown through one entry is an instance of the class from the other.
const thrown = await new esm.PKCEOAuthApp({ clientId: 'id' }).getOAuthUrl({ redirectUri: '' }).then(() => null, (e) => e)
assert.ok(thrown instanceof cjs.CozeAuthError, `expected a CozeAuthError, got ${thrown}`)
assert.equal(thrown.code, 'invalid_argument')

for (const [how, lib] of [['import', esm], ['require', cjs]]) {
  const { url, codeVerifier } = await new lib.PKCEOAuthApp({ clientId: 'id', baseURL: lib.COZE_COM_BASE_URL }).getOAuthUrl({ redirectUri: 'https://app.example/cb' })
  assert.ok(url.startsWith('https://www.coze.com/api/permission/oauth2/authorize?'), `${how}: ${url}`)
  assert.match(codeVerifier, /^[A-Za-z0-9_-]{43}$/)
}

// coze-auth/redis: one function both ways, and its errors are the main entry's CozeAuthError
// (its bundle takes the class from lib.js, see scripts/build.sh).
const redisEsm = await import('coze-auth/redis')
const redisCjs = require('coze-auth/redis')
assert.deepEqual(Object.keys(redisEsm).sort(), ['redisTokenStore'])
assert.equal(redisEsm.redisTokenStore, redisCjs.redisTokenStore, 'coze-auth/redis: import and require give the same function')
for (const { redisTokenStore } of [redisEsm, redisCjs]) {
  const e = (() => { try { redisTokenStore({}) } catch (err) { return err } })()
  assert.ok(e instanceof esm.CozeAuthError && e instanceof cjs.CozeAuthError, `coze-auth/redis threw ${e}`)
  assert.equal(e.code, 'invalid_argument')
}
console.log(`pack-node ok  Node ${process.version}: import and require give the same ${EXPORTS.join(', ')}; coze-auth/redis: redisTokenStore`)
