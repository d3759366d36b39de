// A strict TypeScript consumer of the packed package: it must compile with `strict`, and the
// `@ts-expect-error` lines must stay errors, so a loosened type fails this check.
import {
  PKCEOAuthApp,
  CozeAuthError,
  COZE_CN_BASE_URL,
  COZE_COM_BASE_URL,
  type CozeAuthErrorCode,
  type OAuthToken,
  type PKCEOAuthUrl,
} from 'coze-auth';

const cn: 'https://api.coze.cn' = COZE_CN_BASE_URL;
const com: 'https://api.coze.com' = COZE_COM_BASE_URL;

const app = new PKCEOAuthApp({ clientId: 'id', baseURL: com, timeoutMs: 5000, fetch: (url, init) => fetch(url, init) });

async function flow(): Promise<void> {
  const auth: PKCEOAuthUrl = await app.getOAuthUrl({ redirectUri: 'https://a/cb', codeChallengeMethod: 'plain' });
  const verifier: string = auth.codeVerifier;
  const token: OAuthToken = await app.getAccessToken({ code: 'c', redirectUri: 'https://a/cb', codeVerifier: verifier });
  const expires: number = token.expires_in;
  const refresh: string | undefined = token.refresh_token;
  if (refresh) await app.refreshAccessToken(refresh, { signal: AbortSignal.timeout(1000) });
  await app.startLogin({ redirectUri: 'https://a/cb', navigate: (url: string) => void url });
  const again: OAuthToken = await app.handleCallback('https://a/cb?code=1&state=2', { storage: sessionStorage });
  void [expires, again, cn];
}

function branch(e: unknown): string {
  if (e instanceof CozeAuthError) {
    const code: CozeAuthErrorCode = e.code;
    const status: number | undefined = e.status;
    const logId: string | undefined = e.logId;
    switch (code) {
      case 'oauth_error':
        return e.errorCode ?? '';
      case 'timeout':
      case 'aborted':
        return String(status) + logId;
      default:
        return code;
    }
  }
  return '';
}

// @ts-expect-error clientId is required
new PKCEOAuthApp({});
// @ts-expect-error timeoutMs is a number
new PKCEOAuthApp({ clientId: 'x', timeoutMs: '5' });
// @ts-expect-error only S256 and plain exist
void app.getOAuthUrl({ redirectUri: 'x', codeChallengeMethod: 'S512' });
// @ts-expect-error codeVerifier is required
void app.getAccessToken({ code: 'c', redirectUri: 'r' });
// @ts-expect-error expires_in is a number, not a string
const wrong: string = ({} as OAuthToken).expires_in;
// @ts-expect-error not an error code
const badCode: CozeAuthErrorCode = 'nope';

void [flow, branch, wrong, badCode];
