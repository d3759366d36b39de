// What an editor's completion offers from the packed package's index.d.ts, asked of the
// TypeScript language service the way an editor asks it (tsc cannot check completions): every
// `client_type` of loadOAuthApp with its own fields, the hosts for `baseURL` and `wwwBaseURL`,
// and Coze's documented codes for `errorCode`. Run after tests/installed/types/node_modules/coze-auth is
// installed (scripts/test.sh, types step).
//
//   node tests/installed/types/completions.mjs

import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ts = createRequire(import.meta.url)(path.join(HERE, '..', '..', '..', 'node_modules', 'typescript'));

const FILE = path.join(HERE, 'completions-probe.ts'); // never written: the host serves its text
const options = {
  strict: true,
  exactOptionalPropertyTypes: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts'],
  types: [],
  noEmit: true,
};

const head = "import { loadOAuthApp, PKCEOAuthApp, OAuthJWTFlow, CozeAuthError } from 'coze-auth';\n";
let text = head;
let version = 0;
const ls = ts.createLanguageService({
  getScriptFileNames: () => [FILE],
  getScriptVersion: (f) => (f === FILE ? String(version) : '1'),
  getScriptSnapshot: (f) => {
    const t = f === FILE ? text : ts.sys.readFile(f);
    return t === undefined ? undefined : ts.ScriptSnapshot.fromString(t);
  },
  getCurrentDirectory: () => HERE,
  getCompilationSettings: () => options,
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: (f) => f === FILE || ts.sys.fileExists(f),
  readFile: (f) => (f === FILE ? text : ts.sys.readFile(f)),
  readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists,
  getDirectories: ts.sys.getDirectories,
});

/** The completion entries at `|` in `code` (after an import of everything used), by kind. */
function complete(code) {
  text = head + code.replace('|', '');
  version += 1;
  const entries = ls.getCompletionsAtPosition(FILE, head.length + code.indexOf('|'), {})?.entries ?? [];
  const names = (kind) => entries.filter((e) => e.kind === kind).map((e) => e.name).sort();
  return { strings: names('string'), properties: names('property') };
}

const sorted = (list) => [...list].sort();
const checks = [
  ['every client_type, with client_id already given', "loadOAuthApp({ client_id: '1', client_type: '|' });", 'strings', ['device', 'jwt', 'pkce', 'web']],
  ['every client_type, first key', "loadOAuthApp({ client_type: '|' });", 'strings', ['device', 'jwt', 'pkce', 'web']],
  ['a pkce config: no secret, no key', "loadOAuthApp({ client_type: 'pkce', client_id: '1', | });", 'properties', ['coze_api_base', 'coze_www_base']],
  ['a device config: no secret, no key', "loadOAuthApp({ client_type: 'device', client_id: '1', | });", 'properties', ['coze_api_base', 'coze_www_base']],
  ['a web config: its client secret', "loadOAuthApp({ client_type: 'web', client_id: '1', | });", 'properties', ['client_secret', 'coze_api_base', 'coze_www_base']],
  ['a jwt config: its key', "loadOAuthApp({ client_type: 'jwt', client_id: '1', | });", 'properties', ['coze_api_base', 'coze_www_base', 'private_key', 'public_key_id']],
  ['coze_api_base: the regions', "loadOAuthApp({ client_type: 'pkce', client_id: '1', coze_api_base: '|' });", 'strings', ['https://api.coze.cn', 'https://api.coze.com']],
  ['an app baseURL: the regions', "new PKCEOAuthApp({ clientId: '1', baseURL: '|' });", 'strings', ['https://api.coze.cn', 'https://api.coze.com']],
  ['the JWT flow baseURL: the regions', "new OAuthJWTFlow({ baseURL: '|' });", 'strings', ['https://api.coze.cn', 'https://api.coze.com']],
  ['wwwBaseURL: the consent hosts', "new PKCEOAuthApp({ clientId: '1', wwwBaseURL: '|' });", 'strings', ['https://www.coze.cn', 'https://www.coze.com']],
  [
    "errorCode: Coze's documented codes",
    "(e: unknown) => e instanceof CozeAuthError && e.errorCode === '|';",
    'strings',
    ['access_denied', 'authorization_pending', 'expired_token', 'slow_down'],
  ],
  [
    "errorCode of a narrowed oauth_error: Coze's documented codes",
    "(e: unknown) => e instanceof CozeAuthError && e.code === 'oauth_error' && e.errorCode === '|';",
    'strings',
    ['access_denied', 'authorization_pending', 'expired_token', 'slow_down'],
  ],
];

let failed = false;
for (const [what, code, kind, want] of checks) {
  const got = complete(code)[kind];
  const ok = JSON.stringify(got) === JSON.stringify(sorted(want));
  if (!ok) failed = true;
  console[ok ? 'log' : 'error'](`completions ${ok ? 'ok  ' : 'FAIL'} ${what}${ok ? '' : `: expected ${JSON.stringify(sorted(want))}, got ${JSON.stringify(got)}`}`);
}
if (failed) process.exit(1);
