// loadOAuthApp: any app from the JSON config the official SDKs share (protocol §9; py
// `load_oauth_app_from_config`, go `LoadOAuthAppFromConfig`). Node only: such a config usually
// holds a client secret or a private key, and a page builds its PKCEOAuthApp directly. The
// module reads the config strictly (its errors never quote a value); this file picks the class.

import { CozeAuthError } from './error.js';
import { readTextFile } from './host.js';
import { COZE_CN_BASE_URL, type CozeBaseURL, type CozeWwwBaseURL } from './constants.js';
import { DeviceOAuthApp } from './device.js';
import { type CozeAuthLogger, expectObject, fail, type FetchLike, isObject, kindOf, nodeWasm } from './core.js';
import { encoder } from './seam.js';
import { readAppConfig } from './seam-node.js';
import { OAuthJWTFlow } from './jwt.js';
import { PKCEOAuthApp } from './pkce.js';
import { WebOAuthApp } from './web.js';

/** What every JSON app config holds. */
interface OAuthAppConfigBase {
  /** The app's client id (for a jwt app, its app id: the JWT's `iss`). */
  client_id: string;
  /** API base URL; default {@link COZE_CN_BASE_URL}. */
  coze_api_base?: CozeBaseURL;
  /** Consent page base (pkce and web apps); default derived from `coze_api_base`. */
  coze_www_base?: CozeWwwBaseURL;
}

/** A `pkce` app's JSON config: a {@link PKCEOAuthApp} (a public client: no secret, no key). */
export interface PKCEOAuthAppConfig extends OAuthAppConfigBase {
  client_type: 'pkce';
}

/** A `device` app's JSON config: a {@link DeviceOAuthApp} (a public client: no secret, no key). */
export interface DeviceOAuthAppConfig extends OAuthAppConfigBase {
  client_type: 'device';
}

/** A `web` app's JSON config: a {@link WebOAuthApp}. */
export interface WebOAuthAppConfig extends OAuthAppConfigBase {
  client_type: 'web';
  /** The app's client secret. */
  client_secret: string;
}

/** A `jwt` app's JSON config: an {@link OAuthJWTFlow} (no client secret). */
export interface JWTOAuthAppConfig extends OAuthAppConfigBase {
  client_type: 'jwt';
  /** The RSA private key, PEM (PKCS#8 or PKCS#1). */
  private_key: string;
  /** The public key's id from the console (the JWT header's `kid`). */
  public_key_id: string;
}

/**
 * The JSON app config of the official SDKs, one shape per `client_type`: `pkce`, `device`, `web`
 * or `jwt` (the ones the core reads).
 */
export type OAuthAppConfig = PKCEOAuthAppConfig | DeviceOAuthAppConfig | WebOAuthAppConfig | JWTOAuthAppConfig;

/** The app {@link loadOAuthApp} returns for each `client_type`. */
export interface OAuthAppByClientType {
  pkce: PKCEOAuthApp;
  device: DeviceOAuthApp;
  web: WebOAuthApp;
  jwt: OAuthJWTFlow;
}

/** Options passed on to the app's constructor (the config's values win). */
export interface LoadOAuthAppOptions {
  fetch?: FetchLike;
  timeoutMs?: number;
  /** Receives a debug line per request (every kind of app). */
  logger?: CozeAuthLogger;
}

/** The text of the config file at `path` (a config that is not JSON text, as coze-java takes it). */
function readConfigFile(path: string): string {
  if (path.trim() === '') throw fail('loadOAuthApp needs the config as JSON text, a path to its file, or an object; received an empty string.');
  try {
    return readTextFile(path);
  } catch (e) {
    if (e instanceof CozeAuthError) throw e; // a runtime without files says so itself
    const code = (e as { code?: unknown } | undefined)?.code;
    // Quoted only when it looks like a path (never a mangled config, which may hold a secret).
    const shown = path.length <= 512 && !/[{}"\p{Cc}]/u.test(path) ? `file ${JSON.stringify(path)}` : 'file (the string given is not JSON text, so it was taken as a path)';
    throw fail(`Could not read the app config ${shown} (${typeof code === 'string' ? code : 'unreadable'}). Pass the path to the JSON file, or its JSON text.`);
  }
}

/** Any app. */
export type OAuthApp = PKCEOAuthApp | DeviceOAuthApp | WebOAuthApp | OAuthJWTFlow;

/**
 * The app a JSON config describes (py `load_oauth_app_from_config`), given as JSON text, as an
 * object, or as the path to its file (a string that does not begin with `{`, as coze-java takes it): `pkce` → {@link PKCEOAuthApp},
 * `device` → {@link DeviceOAuthApp}, `web` → {@link WebOAuthApp}, `jwt` → {@link OAuthJWTFlow}
 * (whose values then do not fall back to the environment; `coze_api_base` defaults to
 * {@link COZE_CN_BASE_URL}). Errors name the key, never a value.
 *
 * Node only (a config usually holds a secret): the browser build throws `unsupported`.
 */
export function loadOAuthApp<T extends OAuthAppConfig['client_type']>(
  config: OAuthAppConfig & { client_type: T },
  options?: LoadOAuthAppOptions,
): OAuthAppByClientType[T];
export function loadOAuthApp(config: string | OAuthAppConfig, options?: LoadOAuthAppOptions): OAuthApp;
export function loadOAuthApp(config: string | OAuthAppConfig, options?: LoadOAuthAppOptions): OAuthApp {
  expectObject(options, 'options', true);
  let text: string;
  if (isObject(config) && !Array.isArray(config)) text = JSON.stringify(config);
  else if (typeof config === 'string') text = config.trimStart().startsWith('{') ? config : readConfigFile(config);
  else throw fail(`loadOAuthApp needs the config as JSON text, a path to its file, or an object; received ${kindOf(config)}.`);
  const c = readAppConfig(nodeWasm('loadOAuthApp'), encoder.encode(text));
  const { clientId } = c;
  // A config is complete: its values do not fall back to the environment.
  const baseURL = c.baseURL ?? COZE_CN_BASE_URL;
  switch (c.clientType) {
    case 'pkce':
      return new PKCEOAuthApp({ ...options, clientId, baseURL, wwwBaseURL: c.wwwBaseURL } as ConstructorParameters<typeof PKCEOAuthApp>[0]);
    case 'device':
      return new DeviceOAuthApp({ ...options, clientId, baseURL } as ConstructorParameters<typeof DeviceOAuthApp>[0]);
    case 'web':
      return new WebOAuthApp({ ...options, clientId, clientSecret: c.clientSecret, baseURL, wwwBaseURL: c.wwwBaseURL } as ConstructorParameters<typeof WebOAuthApp>[0]);
    default:
      return new OAuthJWTFlow({ ...options, appId: clientId, keyid: c.publicKeyId, privateKey: c.privateKey, baseURL });
  }
}
