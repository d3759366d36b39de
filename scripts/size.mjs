// Prints the browser PKCE entry's shipped size, measured exactly as `npm run bench` measures it
// (bench/size.mjs: bench/entries/coze-auth.js bundled by esbuild, minified, gzip -9, the .wasm
// beside it), so the test run and the bench print the same figure.
import { ENTRIES, measure } from '../bench/size.mjs';

const row = await measure(ENTRIES[0]);
const fmt = (n) => n.toLocaleString('en-US');
console.log(
  `browser PKCE entry: JS ${fmt(row.jsMin)} B min (${fmt(row.jsGz)} B gz) + wasm ${fmt(row.wasm)} B (${fmt(row.wasmGz)} B gz) = ${fmt(row.totalGz)} B gz`,
);
