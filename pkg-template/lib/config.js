// loadOAuthApp: any app from the JSON config the official SDKs share (protocol §9; py
// `load_oauth_app_from_config`, go `LoadOAuthAppFromConfig`). Node only: such a config usually
// holds a client secret or a private key, and a page builds its PKCEOAuthApp directly. The
// module reads the config strictly (its errors never quote a value); this file picks the class.

import { COZE_CN_BASE_URL } from './constants.js';
import { DeviceOAuthApp } from './device.js';
import { encoder, expectObject, fail, isObject, loadedWasm, run } from './core.js';
import { op } from './node-ops.js';
import { OAuthJWTFlow } from './jwt.js';
import { PKCEOAuthApp } from './pkce.js';
import { WebOAuthApp } from './web.js';

/** The app that `config` (JSON text or an object parsed from it) describes. See index.d.ts. */
export function loadOAuthApp(config, options) {
  expectObject(options, 'options', true);
  let text = config;
  if (isObject(config) && !Array.isArray(config)) text = JSON.stringify(config);
  if (typeof text !== 'string') throw fail('loadOAuthApp needs the config as JSON text or an object.');
  const c = run(loadedWasm(), op.APP_CONFIG, {}, encoder.encode(text));
  const { clientId, baseURL, wwwBaseURL } = c;
  switch (c.clientType) {
    case 'pkce':
      return new PKCEOAuthApp({ ...options, clientId, baseURL, wwwBaseURL });
    case 'device':
      return new DeviceOAuthApp({ ...options, clientId, baseURL });
    case 'web':
      return new WebOAuthApp({ ...options, clientId, clientSecret: c.clientSecret, baseURL, wwwBaseURL });
    default:
      // jwt. A config is complete: its values do not fall back to the environment.
      return new OAuthJWTFlow({ ...options, appId: clientId, keyid: c.publicKeyId, privateKey: c.privateKey, baseURL: baseURL ?? COZE_CN_BASE_URL });
  }
}
