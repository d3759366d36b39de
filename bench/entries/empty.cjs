// An empty CommonJS module: bench/coldstart.mjs imports it from ESM to time Node's own cost of
// an ESM `import` of CommonJS (the path coze-auth's Node ESM entry takes).
'use strict';
