// The package's entry for Node: every flow, including those that do not belong in a page
// (the device flow; the JWT and web flows, which hold secrets; configs, which hold them too).
// The published declarations (index.d.ts, index.d.cts) are generated from this file.
// The list is written out here and in index.ts, not shared through `export *`: esbuild turns a
// star re-export into a CommonJS shape that Deno 2.9 fails to load (a SyntaxError, tried).

export { CozeAuthError } from './error.js';
export { PKCEOAuthApp } from './pkce.js';
export { createSession } from './session.js';
export { DeviceOAuthApp } from './device.js';
export { OAuthJWTFlow, botChatScope } from './jwt.js';
export { WebOAuthApp } from './web.js';
export { TokenAuth } from './token-auth.js';
export { loadOAuthApp } from './config.js';
export { memoryTokenStore } from './token-store.js';
export { COZE_CN_BASE_URL, COZE_COM_BASE_URL } from './constants.js';
export type { CozeBaseURL, CozeWwwBaseURL } from './constants.js';
export { initWasm } from './init.js';
export type { WasmSource } from './source.js';
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
