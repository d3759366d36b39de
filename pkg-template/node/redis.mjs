// Node ESM entry of `coze-auth/redis`: re-exports the CommonJS build (redis.js), as index.mjs does
// for the main entry, so `import` and `require` give the same function.
import api from './redis.js';

export const { redisTokenStore } = api;
