// A strict TypeScript consumer of the packed package: it must compile with `strict`, and the
// `@ts-expect-error` lines must stay errors, so a loosened type fails this check.
import {
  PKCEOAuthApp,
  OAuthJWTFlow,
  WebOAuthApp,
  TokenAuth,
  DeviceOAuthApp,
  loadOAuthApp,
  botChatScope,
  type JwtToken,
  type JwtScope,
  type OAuthApp,
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

async function jwt(): Promise<void> {
  const lines: string[] = [];
  const flow = new OAuthJWTFlow({
    appId: '1',
    keyid: 'k',
    privateKey: '-----BEGIN PRIVATE KEY-----',
    baseURL: com,
    algorithm: 'RS256',
    sessionName: 'u',
    sessionContext: { deviceInfo: { deviceId: 'd', customConsumer: 'c' } },
    logger: (message: string) => void lines.push(message),
  });
  new OAuthJWTFlow(); // every value from the environment
  new OAuthJWTFlow({ logger: { debug: (m: string) => void lines.push(m) } });
  const scope: JwtScope = botChatScope(['7400000000000000001']);
  const t: JwtToken = await flow.getToken({ durationSeconds: 600, scope, accountId: '42', signal: AbortSignal.timeout(1000) });
  const cached: JwtToken = await flow.getAccessToken({ enterpriseId: 'e', sessionName: 's' });
  const access: string = cached.access_token;
  const assertion: string = await flow.createAssertion({ durationSeconds: 60, accountId: '42' });
  flow.free();

  const web = new WebOAuthApp({ clientId: 'c', clientSecret: 's', baseURL: cn, wwwBaseURL: 'https://www.coze.cn' });
  const { url, state } = await web.getOAuthUrl({ redirectUri: 'https://a/cb', workspaceId: 'w' });
  const fromCallback: OAuthToken = await web.handleCallback(url, { state, redirectUri: 'https://a/cb' });
  await web.getAccessToken({ code: 'c', redirectUri: 'https://a/cb' });
  if (fromCallback.refresh_token) await web.refreshAccessToken(fromCallback.refresh_token);

  const auth = new TokenAuth({ token: 'pat_x', allowPersonalAccessTokenInBrowser: true });
  const header: string = auth.authorizationHeader();
  const isPat: boolean = auth.isPersonalAccessToken;

  const fromJwtConfig: OAuthJWTFlow = loadOAuthApp({ client_type: 'jwt', client_id: '1', private_key: 'p', public_key_id: 'k' });
  const fromWebConfig: WebOAuthApp = loadOAuthApp({ client_type: 'web', client_id: '1', client_secret: 's' });
  const fromDeviceConfig: DeviceOAuthApp = loadOAuthApp({ client_type: 'device', client_id: '1' }, { timeoutMs: 1000 });
  const any: OAuthApp = loadOAuthApp('{"client_type":"pkce","client_id":"1"}');
  if (any instanceof PKCEOAuthApp) await any.getOAuthUrl({ redirectUri: 'x' });
  void [t, access, header, isPat, fromJwtConfig, fromWebConfig, fromDeviceConfig];
}

const keyCode: CozeAuthErrorCode = 'invalid_key';
const unsupportedCode: CozeAuthErrorCode = 'unsupported';

// @ts-expect-error only RS256
new OAuthJWTFlow({ algorithm: 'HS256' });
// @ts-expect-error durationSeconds is a number
void new OAuthJWTFlow().getToken({ durationSeconds: '900' });
// @ts-expect-error accountId is a string
void new OAuthJWTFlow().getAccessToken({ accountId: 42 });
// @ts-expect-error an assertion is a string, not a token
void new OAuthJWTFlow().createAssertion().then((t: JwtToken) => t);
// @ts-expect-error the logger takes a string
new OAuthJWTFlow({ logger: (n: number) => void n });
// @ts-expect-error sessionContext fields are strings
new OAuthJWTFlow({ sessionContext: { deviceInfo: { deviceId: 1 } } });
// @ts-expect-error botIds are strings
botChatScope([1]);
// @ts-expect-error clientSecret is required
new WebOAuthApp({ clientId: 'c' });
// @ts-expect-error handleCallback needs the state and redirect URI
void new WebOAuthApp({ clientId: 'c', clientSecret: 's' }).handleCallback('u');
// @ts-expect-error the token is required
new TokenAuth({});
// @ts-expect-error allowPersonalAccessTokenInBrowser is a boolean
new TokenAuth({ token: 't', allowPersonalAccessTokenInBrowser: 'yes' });
// @ts-expect-error the token is read-only
new TokenAuth({ token: 't' }).token = 'u';
// @ts-expect-error unknown client_type
loadOAuthApp({ client_type: 'saml', client_id: '1' });
// @ts-expect-error a JWT token has no refresh_token
const noRefresh: string = ({} as JwtToken).refresh_token;

void [flow, branch, wrong, badCode, jwt, keyCode, unsupportedCode, noRefresh];

// coze-auth/redis and the TokenStore types: a client is typed by the one method the store calls
// (no types of the `redis` package needed), and the store fits OAuthJWTFlow's option.
import { memoryTokenStore, type TokenStore, type StoredEntry, type TokenStoreLock } from 'coze-auth';
import { redisTokenStore, type RedisClientLike } from 'coze-auth/redis';

const client: RedisClientLike = { sendCommand: async (args: string[]) => args.length };
const shared: TokenStore = redisTokenStore(client, { prefix: 'coze-auth:prod:' });
new OAuthJWTFlow({ tokenStore: shared, storeTimeoutMs: 100 });
new OAuthJWTFlow({ tokenStore: memoryTokenStore(), logger: (m: string, level: 'debug' | 'warn') => void [m, level] });
new OAuthJWTFlow({ logger: { debug: (m: string) => void m, warn: (m: string) => void m } });
const own: TokenStore = {
  get: async (key: string): Promise<StoredEntry | undefined> => (key ? { value: '{}', ttlMs: 1 } : undefined),
  set: async (_key: string, _value: string, _ttlMs: number) => {},
  lock: async (): Promise<TokenStoreLock | undefined> => ({ release: async () => {} }),
};
new OAuthJWTFlow({ tokenStore: own });
// @ts-expect-error a client must have sendCommand
redisTokenStore({ get: async () => null });
// @ts-expect-error the prefix is a string
redisTokenStore(client, { prefix: 1 });
// @ts-expect-error a store needs lock too
new OAuthJWTFlow({ tokenStore: { get: own.get, set: own.set } });
