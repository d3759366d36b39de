// CommonJS consumer: every runtime export of coze-auth, through `require` (`import = require`
// compiles to it). Compiled under the node16, nodenext and bundler (module preserve) tsconfigs.
import auth = require('coze-auth');

const cn: 'https://api.coze.cn' = auth.COZE_CN_BASE_URL;
const com: 'https://api.coze.com' = auth.COZE_COM_BASE_URL;
const app: auth.PKCEOAuthApp = new auth.PKCEOAuthApp({ clientId: 'id', baseURL: com });
const url: Promise<string> = app.getOAuthUrl({ redirectUri: 'https://a/cb' }).then((u) => u.url);
const token: Promise<auth.OAuthToken> = app.refreshAccessToken('r');
const code = (e: unknown): string | undefined => (e instanceof auth.CozeAuthError ? e.code : undefined);
// @ts-expect-error clientId is required (proves the types are not `any`)
new auth.PKCEOAuthApp({});

export = { cn, url, token, code };

// The Node-only flows are typed in every mode (the browser build's stand-ins throw at run time).
const device: Promise<auth.DeviceCode> = new auth.DeviceOAuthApp({ clientId: 'id' }).getDeviceCode();
const jwt: Promise<auth.JwtToken> = new auth.OAuthJWTFlow({ appId: 'a', keyid: 'k', privateKey: 'p' }).getAccessToken();
const assertion: Promise<string> = new auth.OAuthJWTFlow().createAssertion();
const web: Promise<{ url: string; state: string }> = new auth.WebOAuthApp({ clientId: 'id', clientSecret: 's' }).getOAuthUrl({ redirectUri: 'https://a/cb' });
const header: string = new auth.TokenAuth({ token: 't' }).authorizationHeader();
const scope: auth.JwtScope = auth.botChatScope(['b']);
const loaded: auth.PKCEOAuthApp = auth.loadOAuthApp({ client_type: 'pkce', client_id: 'id' });
// @ts-expect-error WebOAuthApp needs its clientSecret
new auth.WebOAuthApp({ clientId: 'id' });
