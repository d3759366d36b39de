// Node loader: the glue reads and instantiates the module synchronously at require time.
'use strict';
const glue = require('./coze_auth.js');
const { CozeAuthError } = require('./error.js');

glue.__registerErrorClass(CozeAuthError);

exports.loadedWasm = () => glue;
exports.loadWasm = () => Promise.resolve(glue);
