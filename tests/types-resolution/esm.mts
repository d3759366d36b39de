// ESM consumer: every runtime export of coze-auth, through `import`. Compiled under each
// tsconfig.*.json; the annotations fail if a mode resolves to missing or `any` types.
import { PKCEOAuthApp, CozeAuthError, COZE_CN_BASE_URL, COZE_COM_BASE_URL, type OAuthToken } from 'coze-auth';

const cn: 'https://api.coze.cn' = COZE_CN_BASE_URL;
const com: 'https://api.coze.com' = COZE_COM_BASE_URL;
const app: PKCEOAuthApp = new PKCEOAuthApp({ clientId: 'id', baseURL: com });
const url: Promise<string> = app.getOAuthUrl({ redirectUri: 'https://a/cb' }).then((u) => u.url);
const token: Promise<OAuthToken> = app.refreshAccessToken('r');
const code = (e: unknown): string | undefined => (e instanceof CozeAuthError ? e.code : undefined);
// @ts-expect-error clientId is required (proves the types are not `any`)
new PKCEOAuthApp({});

export { cn, url, token, code };
