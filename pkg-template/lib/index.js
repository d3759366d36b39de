// The package's entry for browsers (and bundlers): every flow that may run in a page.
// Node's entry (node.js) adds the flows that hold secrets.

export { CozeAuthError } from './error.js';
export { PKCEOAuthApp } from './pkce.js';
export { DeviceOAuthApp } from './device.js';

/** Coze's China region API base (the default). */
export const COZE_CN_BASE_URL = 'https://api.coze.cn';
/** Coze's global region API base. */
export const COZE_COM_BASE_URL = 'https://api.coze.com';
