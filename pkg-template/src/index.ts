// The package's entry for browsers (and bundlers): PKCE and static tokens, and stand-ins that
// explain why the other flows are not here. Node's entry (node.ts) has every flow. Both export
// the same names and types; the published declarations are generated from node.ts.

export { CozeAuthError } from './error.js';
export { PKCEOAuthApp } from './pkce.js';
export { createSession } from './session.js';
export { TokenAuth } from './token-auth.js';
export { DeviceOAuthApp, OAuthJWTFlow, WebOAuthApp, botChatScope, loadOAuthApp } from './browser-stubs.js';
export { memoryTokenStore } from './token-store.js';
export { COZE_CN_BASE_URL, COZE_COM_BASE_URL } from './constants.js';
export type { CozeBaseURL, CozeWwwBaseURL } from './constants.js';
export { initWasm } from './init.js';
export type { WasmSource } from './source.js';
// Types only (erased: the browser build ships none of the Node-only modules).
export type { BaseAppOptions, FetchLike, OAuthToken, PendingFlowStorage, RequestOptions } from './core.js';
export type { CozeAuthErrorCode, CozeAuthErrorDetails, CozeOAuthErrorCode } from './error.js';
export type {
  CodeChallengeMethod,
  GetPKCEAccessTokenParams,
  GetPKCEOAuthUrlParams,
  HandleCallbackOptions,
  PKCEOAuthAppOptions,
  PKCEOAuthUrl,
  StartLoginParams,
} from './pkce.js';
export type { Session, SessionOptions, TokenStorage } from './session.js';
export type { DeviceCode, DeviceOAuthAppOptions, DevicePendingInfo, GetDeviceAccessTokenParams, GetDeviceCodeParams } from './device.js';
export type { CozeAuthLogger, JwtScope, JwtSessionContext, JwtToken, JwtTokenParams, OAuthJWTFlowOptions } from './jwt.js';
export type { GetWebAccessTokenParams, GetWebOAuthUrlParams, WebCallbackOptions, WebOAuthAppOptions } from './web.js';
export type { TokenAuthOptions } from './token-auth.js';
export type { StoredEntry, TokenStore, TokenStoreLock } from './token-store.js';
export type {
  DeviceOAuthAppConfig,
  JWTOAuthAppConfig,
  LoadOAuthAppOptions,
  OAuthApp,
  OAuthAppByClientType,
  OAuthAppConfig,
  PKCEOAuthAppConfig,
  WebOAuthAppConfig,
} from './config.js';
