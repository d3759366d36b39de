// Bundles one of the package's ES module builds into a single file, swapping modules per build
// the way the Node build swaps its loader (scripts/build.sh):
//   node scripts/bundle.mjs ENTRY OUT [swap:NAME=OTHER]... [file:NAME=PATH]... [external:NAME=SPEC]...
//   swap:wasm.js=wasm-edge.js   every `./wasm.js` import becomes ./wasm-edge.js, except wasm-edge.js's own
//   file:NAME=PATH              `./NAME` is the file at PATH (a generated module)
//   external:NAME=SPEC          `./NAME` stays an import, of SPEC (e.g. './coze_auth_bg.wasm?module')
// Platform neutral: a Node built-in reached from the entry fails the bundle.
import { build } from 'esbuild'
import path from 'node:path'

const [entry, outfile, ...specs] = process.argv.slice(2)
const rules = { swap: new Map(), file: new Map(), external: new Map() }
for (const spec of specs) {
  const [, kind, name, to] = /^(swap|file|external):([^=]+)=(.+)$/.exec(spec) ?? []
  if (!kind) throw new Error(`bundle.mjs: bad rule ${spec}`)
  rules[kind].set(name, to)
}

const swaps = {
  name: 'coze-auth-swaps',
  setup (b) {
    b.onResolve({ filter: /^\.\// }, (args) => {
      const name = args.path.slice(2)
      if (rules.external.has(name)) return { path: rules.external.get(name), external: true }
      if (rules.file.has(name)) return { path: path.resolve(rules.file.get(name)) }
      const to = rules.swap.get(name)
      if (to && path.basename(args.importer) !== to) return { path: path.join(args.resolveDir, to) }
      return undefined
    })
  }
}

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  logLevel: 'warning',
  plugins: [swaps]
})
