// Prints the browser build's shipped size: the .wasm plus the JS glue, minified, gzip -9.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

const wasm = readFileSync('pkg/browser/coze_auth_bg.wasm');
const js = buildSync({
  entryPoints: ['pkg/browser/index.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  write: false,
  logLevel: 'error',
}).outputFiles[0].contents;
const gz = (b) => gzipSync(b, { level: 9 }).length;
const total = gz(wasm) + gz(js);
console.log(`browser build: wasm ${wasm.length} B (${gz(wasm)} B gz) + JS ${js.length} B (${gz(js)} B gz) = ${total} B gz (${(total / 1024).toFixed(1)} KB; budget 12 KB)`);
