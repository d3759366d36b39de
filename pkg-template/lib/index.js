// The package's entry for browsers (and bundlers): PKCE, and stand-ins that explain why the
// other flows are not here. Node's entry (node.js) has every flow.

export { CozeAuthError } from './error.js';
export { PKCEOAuthApp } from './pkce.js';
export { DeviceOAuthApp } from './browser-stubs.js';

/** Coze's China region API base (the default). */
export const COZE_CN_BASE_URL = 'https://api.coze.cn';
/** Coze's global region API base. */
export const COZE_COM_BASE_URL = 'https://api.coze.com';
