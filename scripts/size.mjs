// Prints the browser build's shipped size: the .wasm plus the JS glue, minified, gzip -9. Then
// what sessions (createSession) add to a page: two pages that log in, bundled from the entry the
// same way, one of them keeping the login in a session (a page without sessions ships none of it).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

const bundle = (options) =>
  buildSync({ bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'error', ...options }).outputFiles[0].contents;
const wasm = readFileSync('pkg/browser/coze_auth_bg.wasm');
const js = bundle({ entryPoints: ['pkg/browser/index.js'] });
const gz = (b) => gzipSync(b, { level: 9 }).length;
const total = gz(wasm) + gz(js);
console.log(`browser build: wasm ${wasm.length} B (${gz(wasm)} B gz) + JS ${js.length} B (${gz(js)} B gz) = ${total} B gz (${(total / 1024).toFixed(1)} KB; budget 12 KB)`);

const page = (contents) => bundle({ stdin: { contents, resolveDir: process.cwd(), sourcefile: 'page.js' } });
const entry = './pkg/browser/index.js';
const plain = page(`import { PKCEOAuthApp } from '${entry}'; new PKCEOAuthApp({ clientId: 'id' }).handleCallback(location.href).then(console.log)`);
const withSession = page(`import { PKCEOAuthApp, createSession } from '${entry}'; createSession(new PKCEOAuthApp({ clientId: 'id' })).handleCallback().then(console.log)`);
const added = gz(withSession) - gz(plain);
console.log(`sessions: a page's JS ${gz(plain)} B gz without createSession, ${gz(withSession)} B gz with it: +${withSession.length - plain.length} B (+${added} B gz; budget 1536 B gz)`);
