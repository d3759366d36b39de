// Prints the browser PKCE entry's shipped size, measured exactly as `npm run bench` measures it
// (bench/size.mjs: bench/entries/coze-auth.js bundled by esbuild, minified, gzip -9, the .wasm
// beside it), so the test run and the bench print the same figure. Then what sessions
// (createSession) add to a page: two pages that log in, bundled from the entry the same way, one
// of them keeping the login in a session (a page without sessions ships none of it).
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { ENTRIES, measure } from '../bench/size.mjs';

const row = await measure(ENTRIES[0]);
const fmt = (n) => n.toLocaleString('en-US');
console.log(
  `browser PKCE entry: JS ${fmt(row.jsMin)} B min (${fmt(row.jsGz)} B gz) + wasm ${fmt(row.wasm)} B (${fmt(row.wasmGz)} B gz) = ${fmt(row.totalGz)} B gz`,
);

const gz = (b) => gzipSync(b, { level: 9 }).length;
const page = (contents) =>
  buildSync({
    stdin: { contents, resolveDir: process.cwd(), sourcefile: 'page.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'error',
  }).outputFiles[0].contents;
const entry = './pkg/browser/index.js';
const plain = page(`import { PKCEOAuthApp } from '${entry}'; new PKCEOAuthApp({ clientId: 'id' }).handleCallback(location.href).then(console.log)`);
const withSession = page(`import { PKCEOAuthApp, createSession } from '${entry}'; createSession(new PKCEOAuthApp({ clientId: 'id' })).handleCallback().then(console.log)`);
console.log(
  `sessions: a page's JS ${fmt(gz(plain))} B gz without createSession, ${fmt(gz(withSession))} B gz with it: +${fmt(gz(withSession) - gz(plain))} B gz (goal ≤ 1,536)`,
);
