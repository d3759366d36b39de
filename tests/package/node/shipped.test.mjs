// What an app's bundler keeps of the installed package (esbuild, minified, as bench/size.mjs
// bundles): a PKCE page ships the loader's default path only, with no lowered private fields,
// and a Node server's bundle does not inline the package's manifest.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const PKG = path.join(HERE, 'node_modules', 'coze-auth')

/** The page's JS as esbuild bundles it for browsers of `target` (Vite's default is es2020). */
async function page (contents, target = 'es2020') {
  const out = await build({ stdin: { contents, resolveDir: HERE }, bundle: true, minify: true, format: 'esm', platform: 'browser', target, write: false, logLevel: 'error' })
  return out.outputFiles[0].text
}

const PKCE_PAGE = "import { PKCEOAuthApp } from 'coze-auth'; new PKCEOAuthApp({ clientId: 'id' }).getOAuthUrl({ redirectUri: 'https://a.example/cb' }).then(console.log)"

test('a PKCE page ships the default load with its checks, not initWasm\'s other sources', async () => {
  const js = await page(PKCE_PAGE)
  // The .wasm beside the module, fetched and checked (an HTML fallback page is named as such).
  assert.match(js, /new URL\("coze_auth_bg\.wasm",import\.meta\.url\)/)
  assert.ok(js.includes('an HTML page (a server or dev server answered its fallback page)'))
  assert.ok(js.includes('beside its JS file'))
  assert.ok(!js.includes('initWasm needs a WebAssembly.Module'), 'initWasm\'s source handling shipped without initWasm')
  // …which a page calling initWasm does ship.
  const withInit = await page(`import { initWasm } from 'coze-auth'; initWasm(new URL('/x.wasm', location.href))`)
  assert.ok(withInit.includes('initWasm needs a WebAssembly.Module'))
})

test('a PKCE page built for ES2020 carries no lowered private fields', async () => {
  // esbuild lowers `#x` for targets before ES2022 into WeakMaps and helpers whose messages show.
  const js = await page(PKCE_PAGE)
  assert.ok(!/private field|private member|WeakSet/.test(js), 'private-field helpers in the PKCE page')
  const lowered = await page(`class A { #x = 1; get x () { return this.#x } } console.log(new A().x)`)
  assert.match(lowered, /private field/) // the probe sees them where they are
})

test('the Node loader carries the package version, not a require of package.json', () => {
  const loader = readFileSync(path.join(PKG, 'node', 'wasm.js'), 'utf8')
  const { version } = JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8'))
  assert.ok(!loader.includes('../package.json'), 'wasm.js requires ../package.json')
  assert.ok(loader.includes(`const ours = ${JSON.stringify(version)};`), `wasm.js does not carry version ${version}`)
})
