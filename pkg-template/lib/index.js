// The package's entry for browsers (and bundlers): PKCE and static tokens, and stand-ins that
// explain why the other flows are not here. Node's entry (node.js) has every flow.

export { CozeAuthError } from './error.js';
export { PKCEOAuthApp } from './pkce.js';
export { TokenAuth } from './token-auth.js';
export { DeviceOAuthApp, OAuthJWTFlow, WebOAuthApp, botChatScope, loadOAuthApp } from './browser-stubs.js';
export { COZE_CN_BASE_URL, COZE_COM_BASE_URL } from './constants.js';
