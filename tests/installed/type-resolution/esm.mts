// ESM consumer: every runtime export of coze-auth, through `import`. Compiled under each
// tsconfig.*.json; the annotations fail if a mode resolves to missing or `any` types.
import {
  PKCEOAuthApp,
  DeviceOAuthApp,
  OAuthJWTFlow,
  WebOAuthApp,
  TokenAuth,
  CozeAuthError,
  botChatScope,
  loadOAuthApp,
  COZE_CN_BASE_URL,
  COZE_COM_BASE_URL,
  type OAuthToken,
  type DeviceCode,
  type JwtToken,
  type JwtScope,
} from 'coze-auth';

const cn: 'https://api.coze.cn' = COZE_CN_BASE_URL;
const com: 'https://api.coze.com' = COZE_COM_BASE_URL;
const app: PKCEOAuthApp = new PKCEOAuthApp({ clientId: 'id', baseURL: com });
const url: Promise<string> = app.getOAuthUrl({ redirectUri: 'https://a/cb' }).then((u) => u.url);
const token: Promise<OAuthToken> = app.refreshAccessToken('r');
const code = (e: unknown): string | undefined => (e instanceof CozeAuthError ? e.code : undefined);
// @ts-expect-error clientId is required (proves the types are not `any`)
new PKCEOAuthApp({});

// The Node-only flows are typed in every mode (the browser build's stand-ins throw at run time).
const device: Promise<DeviceCode> = new DeviceOAuthApp({ clientId: 'id' }).getDeviceCode();
const jwt: Promise<JwtToken> = new OAuthJWTFlow({ appId: 'a', keyid: 'k', privateKey: 'p' }).getAccessToken();
const assertion: Promise<string> = new OAuthJWTFlow().createAssertion();
const web: Promise<{ url: string; state: string }> = new WebOAuthApp({ clientId: 'id', clientSecret: 's' }).getOAuthUrl({ redirectUri: 'https://a/cb' });
const header: string = new TokenAuth({ token: 't' }).authorizationHeader();
const scope: JwtScope = botChatScope(['b']);
const loaded: PKCEOAuthApp = loadOAuthApp({ client_type: 'pkce', client_id: 'id' });
// @ts-expect-error WebOAuthApp needs its clientSecret
new WebOAuthApp({ clientId: 'id' });
// @ts-expect-error botChatScope takes an array of bot ids
botChatScope('b');

export { cn, url, token, code, device, jwt, assertion, web, header, scope, loaded };
