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
