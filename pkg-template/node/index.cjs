// Node's CommonJS entry. The flows are bundled in lib.js; this file stays tiny on purpose: an
// ESM `import` of CommonJS makes Node lex the imported file for export names, and lexing the
// whole bundle at start-up made the lexer hot enough for V8 to optimise it in the background,
// which Node then waits for before it exits (about 30 ms of every `import 'coze-auth'` run;
// see "Cold start" in README.md). `module.exports = lib` (not `= require(...)`) keeps the lexer
// from following it into lib.js.
'use strict';
const lib = require('./lib.js');
module.exports = lib;
