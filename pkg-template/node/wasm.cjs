// Node loader: the glue reads and instantiates the module synchronously at require time.
'use strict';
const glue = require('./coze_auth.js');

exports.loadedWasm = () => glue;
exports.loadWasm = () => Promise.resolve(glue);

/** Not the browser build (see browser/wasm.js). */
exports.BROWSER_BUILD = false;
