// Node ESM entry: re-exports the CommonJS build, so `import` and `require` share one module
// instance (one CozeAuthError class, one set of objects).
import api from './index.js';

export const {
  PKCEOAuthApp,
  createSession,
  DeviceOAuthApp,
  OAuthJWTFlow,
  WebOAuthApp,
  TokenAuth,
  loadOAuthApp,
  botChatScope,
  memoryTokenStore,
  CozeAuthError,
  COZE_CN_BASE_URL,
  COZE_COM_BASE_URL,
  initWasm,
} = api;
