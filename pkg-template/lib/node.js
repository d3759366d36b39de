// The package's entry for Node: every flow, including those that do not belong in a page
// (the device flow; the JWT and web flows, which hold secrets; configs, which hold them too).

export { CozeAuthError } from './error.js';
export { PKCEOAuthApp } from './pkce.js';
export { DeviceOAuthApp } from './device.js';
export { OAuthJWTFlow, botChatScope } from './jwt.js';
export { WebOAuthApp } from './web.js';
export { TokenAuth } from './token-auth.js';
export { loadOAuthApp } from './config.js';
export { COZE_CN_BASE_URL, COZE_COM_BASE_URL } from './constants.js';
