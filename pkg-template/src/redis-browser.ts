// The browser build's `coze-auth/redis` (shipped as browser/redis.js): a page holds no service
// tokens, and Redis clients do not run there. Typed as the Node one so one import serves both.

import { CozeAuthError } from './error.js';
import type { redisTokenStore as RedisTokenStore } from './redis.js';

/** Node only: a token store for OAuthJWTFlow, which runs in Node. */
export const redisTokenStore: typeof RedisTokenStore = () => {
  throw new CozeAuthError('redisTokenStore is not available in a browser: it serves OAuthJWTFlow, which needs the private key: run it in Node.', {
    code: 'unsupported',
  });
};
