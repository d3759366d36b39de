// The Node build's loader when a bundler moved the package's code away from its .wasm (as
// esbuild --platform=node and Next.js's server bundles do): importing reads nothing, the first
// use finds the .wasm through the coze-auth installed for the app in the working directory,
// and when there is none, or another version, the error says what it looked for and what to do.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const WORK = path.resolve(HERE, '..', '..', '..', 'target', 'node-loader')
const VERSION = JSON.parse(readFileSync(path.join(HERE, 'node_modules', 'coze-auth', 'package.json'), 'utf8')).version

// Imports, then (a separate step, so a failing import shows) makes the authorize URL.
const ENTRY = `
const { PKCEOAuthApp } = require('coze-auth')
const out = { imported: true }
;(async () => {
  const { url } = await new PKCEOAuthApp({ clientId: 'bundled' }).getOAuthUrl({ redirectUri: 'http://127.0.0.1:3000/cb' })
  out.clientId = new URL(url).searchParams.get('client_id')
})().catch((e) => { out.error = { name: e.name, code: e.code, message: e.message } }).then(() => console.log(JSON.stringify(out)))
`

/**
 * The entry bundled with coze-auth into target/node-loader/bundle.cjs (no .wasm beside it);
 * `define` replaces globals in it (Turbopack's `__dirname`, below).
 */
async function bundle (define) {
  rmSync(WORK, { recursive: true, force: true })
  mkdirSync(WORK, { recursive: true })
  const outfile = path.join(WORK, 'bundle.cjs')
  await build({ stdin: { contents: ENTRY, resolveDir: HERE }, outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning', define })
  return outfile
}

const run = (file, cwd) => JSON.parse(execFileSync(process.execPath, [file], { cwd, encoding: 'utf8' }).trim().split('\n').pop())

/** Writes dir/node_modules/coze-auth/package.json of `version`. */
function writeManifest (dir, version) {
  mkdirSync(path.join(dir, 'node_modules', 'coze-auth'), { recursive: true })
  writeFileSync(path.join(dir, 'node_modules', 'coze-auth', 'package.json'), JSON.stringify({ name: 'coze-auth', version, exports: { './package.json': './package.json' } }))
}

/** A directory whose node_modules/coze-auth is only a package.json of `version`. */
function fakeInstall (version) {
  const dir = mkdtempSync(path.join(tmpdir(), 'coze-auth-loader-'))
  writeManifest(dir, version)
  return dir
}

/** Runs `file` in `dir`, where coze-auth is version 0.0.0-other: refused, naming both versions; then removes `dir`. */
function assertOtherVersionRefused (file, dir) {
  try {
    const out = run(file, dir)
    assert.equal(out.error?.code, 'unsupported', JSON.stringify(out))
    assert.ok(out.error.message.includes(`is version 0.0.0-other, not ${VERSION}`), out.error.message)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('bundled away from its .wasm: the first use reads it from the coze-auth installed in the working directory', async () => {
  const file = await bundle()
  assert.deepEqual(run(file, HERE), { imported: true, clientId: 'bundled' })
})

test('bundled, with no coze-auth where it runs: the import works, the first use says what it looked for and names serverExternalPackages', async () => {
  const file = await bundle()
  const empty = mkdtempSync(path.join(tmpdir(), 'coze-auth-loader-'))
  try {
    const out = run(file, empty)
    assert.equal(out.imported, true)
    assert.equal(out.error?.name, 'CozeAuthError', JSON.stringify(out))
    assert.equal(out.error.code, 'unsupported')
    assert.ok(out.error.message.includes(path.join(WORK, 'coze_auth_bg.wasm')), out.error.message)
    assert.ok(out.error.message.includes(`resolved from ${empty}`), out.error.message)
    assert.ok(out.error.message.includes("serverExternalPackages: ['coze-auth']"), out.error.message)
  } finally {
    rmSync(empty, { recursive: true, force: true })
  }
})

test('bundled, with another version of coze-auth where it runs: refused (the JS and the .wasm must come from one build)', async () => {
  assertOtherVersionRefused(await bundle(), fakeInstall('0.0.0-other'))
})

// Turbopack writes a bundled file's __dirname as "/ROOT/<path from the project root>" and its
// tracing copies the .wasm read there into .next/standalone/node_modules (no package.json);
// esbuild's define plays Turbopack here. The root is the working directory or a parent.
const bundleAsTurbopack = () => bundle({ __dirname: JSON.stringify('/ROOT/node_modules/coze-auth/node') })

/** A folder like .next/standalone: node_modules/coze-auth/node/ holds the .wasm (and package.json of `version`, if given). */
function tracedCopy (version) {
  const dir = mkdtempSync(path.join(tmpdir(), 'coze-auth-traced-'))
  mkdirSync(path.join(dir, 'node_modules', 'coze-auth', 'node'), { recursive: true })
  mkdirSync(path.join(dir, 'apps', 'web'), { recursive: true })
  writeFileSync(path.join(dir, 'node_modules', 'coze-auth', 'node', 'coze_auth_bg.wasm'), readFileSync(path.join(HERE, 'node_modules', 'coze-auth', 'node', 'coze_auth_bg.wasm')))
  if (version) writeManifest(dir, version)
  return dir
}

test('bundled by Turbopack (__dirname "/ROOT/…"): the .wasm is read from that path under the working directory, or a parent (a workspace app)', async () => {
  const file = await bundleAsTurbopack()
  const traced = tracedCopy()
  try {
    assert.deepEqual(run(file, traced), { imported: true, clientId: 'bundled' })
    assert.deepEqual(run(file, path.join(traced, 'apps', 'web')), { imported: true, clientId: 'bundled' })
  } finally {
    rmSync(traced, { recursive: true, force: true })
  }
})

test('bundled by Turbopack, the package there another version: refused', async () => {
  assertOtherVersionRefused(await bundleAsTurbopack(), tracedCopy('0.0.0-other'))
})

// initWasm in Node: the module handed over where the loader cannot find the file (a bundle
// copied without coze-auth's files). SOURCE is an expression evaluated in the bundle.
const WITH_INIT = (SOURCE) => `
const { initWasm, PKCEOAuthApp } = require('coze-auth')
const { readFileSync } = require('node:fs')
const { pathToFileURL } = require('node:url')
const WASM = process.env.COZE_TEST_WASM
const out = { imported: true }
;(async () => {
  await initWasm(${SOURCE})
  const { url } = await new PKCEOAuthApp({ clientId: 'handed' }).getOAuthUrl({ redirectUri: 'http://127.0.0.1:3000/cb' })
  out.clientId = new URL(url).searchParams.get('client_id')
})().catch((e) => { out.error = { name: e.name, code: e.code, message: e.message } }).then(() => console.log(JSON.stringify(out)))
`

async function bundleWith (contents) {
  mkdirSync(WORK, { recursive: true })
  const outfile = path.join(WORK, `init-${Math.random().toString(36).slice(2)}.cjs`)
  await build({ stdin: { contents, resolveDir: HERE }, outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' })
  return outfile
}

test('bundled, with no coze-auth where it runs: initWasm takes the module as bytes, a compiled module, a path, a file: URL or a Response', async () => {
  const wasm = path.join(HERE, 'node_modules', 'coze-auth', 'node', 'coze_auth_bg.wasm')
  const empty = mkdtempSync(path.join(tmpdir(), 'coze-auth-loader-'))
  try {
    for (const source of [
      'readFileSync(WASM)',
      'new WebAssembly.Module(readFileSync(WASM))',
      'WASM',
      'pathToFileURL(WASM)',
      'new Response(readFileSync(WASM))'
    ]) {
      const file = await bundleWith(WITH_INIT(source))
      const out = JSON.parse(execFileSync(process.execPath, [file], { cwd: empty, encoding: 'utf8', env: { ...process.env, COZE_TEST_WASM: wasm } }).trim().split('\n').pop())
      assert.deepEqual(out, { imported: true, clientId: 'handed' }, source)
    }
  } finally {
    rmSync(empty, { recursive: true, force: true })
  }
})

test('initWasm in Node: what is not the module is refused with a CozeAuthError naming what arrived', async () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'coze-auth-loader-'))
  try {
    const cases = [
      ['new TextEncoder().encode("<!doctype html>")', /an HTML page/],
      ['new Response("", { status: 404 })', /HTTP 404/],
      ['42', /initWasm needs a WebAssembly\.Module, bytes, a Response, a file path or a URL; got number/],
      ['WASM + ".missing"', /Could not read coze-auth's WebAssembly module/]
    ]
    for (const [source, message] of cases) {
      const file = await bundleWith(WITH_INIT(source))
      const out = JSON.parse(execFileSync(process.execPath, [file], { cwd: empty, encoding: 'utf8', env: { ...process.env, COZE_TEST_WASM: path.join(empty, 'x.wasm') } }).trim().split('\n').pop())
      assert.equal(out.error?.name, 'CozeAuthError', `${source}: ${JSON.stringify(out)}`)
      assert.equal(out.error.code, 'unsupported')
      assert.match(out.error.message, message, source)
    }
  } finally {
    rmSync(empty, { recursive: true, force: true })
  }
})
