// The operations only the Node build's module has (feature `node`), numbered as in
// src/wasm/npm.rs, with the shared ones of core.js. Kept apart so that the browser build, which
// has none of them, does not ship their names.

import { op as shared } from './core.js';

export const op = {
  ...shared,
  DEVICE_CHECK: 7,
  DEVICE_CODE: 8,
  DEVICE_CODE_READ: 9,
  DEVICE_POLL: 10,
  DEVICE_POLL_READ: 11,
  DEVICE_POLLER: 12,
  DEVICE_REFRESH: 13,
  JWT_KEY: 14,
  JWT_CHECK: 15,
  JWT_PARAMS: 16,
  JWT_SIGNING_INPUT: 17,
  JWT_REQUEST: 18,
  BOT_CHAT_SCOPE: 19,
  WEB_CHECK: 20,
  WEB_AUTHORIZE: 21,
  WEB_CALLBACK: 22,
  WEB_EXCHANGE: 23,
  WEB_REFRESH: 24,
  APP_CONFIG: 25,
};
