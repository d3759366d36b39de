// A strict TypeScript consumer of the packed package: it must compile with `strict`, and the
// `@ts-expect-error` lines must stay errors, so a loosened type fails this check.
import {
  PKCEOAuthApp,
  createSession,
  type Session,
  type SessionOptions,
  type TokenStorage,
  OAuthJWTFlow,
  WebOAuthApp,
  TokenAuth,
  DeviceOAuthApp,
  loadOAuthApp,
  botChatScope,
  type JwtToken,
  type JwtScope,
  type OAuthApp,
  type OAuthAppConfig,
  type OAuthAppByClientType,
  type PKCEOAuthAppConfig,
  CozeAuthError,
  COZE_CN_BASE_URL,
  COZE_COM_BASE_URL,
  type CozeAuthErrorCode,
  type CozeAuthErrorDetails,
  type CozeOAuthErrorCode,
  type OAuthToken,
  type PKCEOAuthUrl,
  type CozeBaseURL,
  type CozeWwwBaseURL,
  type PKCEOAuthAppOptions,
  type DeviceOAuthAppOptions,
  type WebOAuthAppOptions,
  type OAuthJWTFlowOptions,
} from 'coze-auth';

const cn: 'https://api.coze.cn' = COZE_CN_BASE_URL;
const com: 'https://api.coze.com' = COZE_COM_BASE_URL;

// Every baseURL offers the two region constants, and takes any other URL.
type Regions = typeof COZE_CN_BASE_URL | typeof COZE_COM_BASE_URL;
const baseURLsOffer: [
  Equal<Offered<CozeBaseURL>, Regions>,
  Equal<Offered<Exclude<PKCEOAuthAppOptions['baseURL'], undefined>>, Regions>,
  Equal<Offered<Exclude<DeviceOAuthAppOptions['baseURL'], undefined>>, Regions>,
  Equal<Offered<Exclude<WebOAuthAppOptions['baseURL'], undefined>>, Regions>,
  Equal<Offered<Exclude<OAuthJWTFlowOptions['baseURL'], undefined>>, Regions>,
  Equal<Offered<NonNullable<PKCEOAuthAppOptions['baseURL']>>, Regions>,
] = [true, true, true, true, true, true];
const privateBase: CozeBaseURL = 'https://coze.example.com';
// …and every wwwBaseURL the two consent hosts.
type WwwHosts = 'https://www.coze.cn' | 'https://www.coze.com';
const wwwBaseURLsOffer: [
  Equal<Offered<CozeWwwBaseURL>, WwwHosts>,
  Equal<Offered<NonNullable<PKCEOAuthAppOptions['wwwBaseURL']>>, WwwHosts>,
  Equal<Offered<NonNullable<WebOAuthAppOptions['wwwBaseURL']>>, WwwHosts>,
  Equal<Offered<NonNullable<OAuthAppConfig['coze_www_base']>>, WwwHosts>,
] = [true, true, true, true];

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

/** The literal members of a string union that is open to others (`'a' | (string & {})` → `'a'`): what completion offers. */
type Offered<T> = T extends string ? (string extends T ? never : T) : never;
/** `true` exactly when `A` and `B` are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type OAuthCode = Exclude<CozeAuthError['errorCode'], undefined>;
// errorCode offers exactly the OAuth error codes Coze documents, and still takes any other string.
type Documented = 'authorization_pending' | 'slow_down' | 'access_denied' | 'expired_token';
const documentedCodes: [Equal<Offered<OAuthCode>, Documented>, Equal<Offered<NonNullable<CozeAuthError['errorCode']>>, Documented>] = [true, true];
const otherCode: CozeOAuthErrorCode = 'invalid_grant';
// @ts-expect-error not one of the documented codes (only typed, not offered)
const notOffered: Offered<OAuthCode> = 'invalid_grant';

// `instanceof` narrows to a union on `code`: only an oauth_error has errorCode, errorMessage and
// param, and it always has errorCode or errorMessage.
function narrowed(e: unknown): string {
  if (!(e instanceof CozeAuthError)) return '';
  if (e.code === 'oauth_error') {
    const said: string = e.errorCode ?? e.errorMessage;
    if (e.errorCode === 'access_denied') return 'declined';
    return said + (e.param ?? '');
  }
  const noErrorCode: undefined = e.errorCode;
  const noErrorMessage: undefined = e.errorMessage;
  return e.code + noErrorCode + noErrorMessage;
}
// A subclass narrows to itself, with the same union.
class AppError extends CozeAuthError {
  readonly app = 'mine';
}
function narrowedSubclass(e: unknown): string {
  if (!(e instanceof AppError)) return '';
  const app: string = e.app;
  return e.code === 'oauth_error' ? (e.errorCode ?? e.errorMessage) : app;
}
const details: CozeAuthErrorDetails[] = [{ code: 'oauth_error', errorMessage: 'no' }, { code: 'oauth_error', errorCode: 'slow_down' }, { code: 'timeout' }];
// @ts-expect-error an oauth_error has errorCode or errorMessage
const noCode: CozeAuthErrorDetails = { code: 'oauth_error' };
// @ts-expect-error only an oauth_error has an errorCode
const timeoutCode: CozeAuthErrorDetails = { code: 'timeout', errorCode: 'slow_down' };

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
// Each client_type has its own fields (the core refuses a credential the type must not hold).
const clientTypes: Equal<OAuthAppConfig['client_type'], 'pkce' | 'device' | 'web' | 'jwt'> = true;
const fromPkceConfig: PKCEOAuthApp = loadOAuthApp({ client_id: '1', client_type: 'pkce', coze_api_base: COZE_COM_BASE_URL, coze_www_base: 'https://www.coze.com' });
const pkceConfig: PKCEOAuthAppConfig = { client_type: 'pkce', client_id: '1' };
const configured: OAuthAppByClientType['pkce'] = loadOAuthApp(pkceConfig);
// @ts-expect-error a pkce app holds no client_secret
loadOAuthApp({ client_type: 'pkce', client_id: '1', client_secret: 's' });
// @ts-expect-error a device app holds no private_key
loadOAuthApp({ client_type: 'device', client_id: '1', private_key: 'p' });
// @ts-expect-error a web app needs its client_secret
loadOAuthApp({ client_type: 'web', client_id: '1' });
// @ts-expect-error a jwt app needs its public_key_id
loadOAuthApp({ client_type: 'jwt', client_id: '1', private_key: 'p' });
// @ts-expect-error a jwt app holds no client_secret
loadOAuthApp({ client_type: 'jwt', client_id: '1', private_key: 'p', public_key_id: 'k', client_secret: 's' });
const anyConfig = JSON.parse('{}') as OAuthAppConfig;
const fromAnyConfig: OAuthApp = loadOAuthApp(anyConfig);
// @ts-expect-error a JWT token has no refresh_token
const noRefresh: string = ({} as JwtToken).refresh_token;

async function sessions(): Promise<void> {
  const options: SessionOptions = { storage: 'local', refreshMarginSeconds: 60 };
  const session: Session = createSession(app, options);
  createSession(app);
  createSession(app, { storage: 'memory' });
  const custom: TokenStorage = { getItem: (k: string) => k, setItem: (k: string, v: string) => void [k, v], removeItem: (k: string) => void k };
  createSession(app, { storage: custom });
  const signedIn: OAuthToken = await session.handleCallback();
  await session.handleCallback('https://a/cb?code=1&state=2', { storage: sessionStorage, signal: AbortSignal.timeout(1000) });
  const access: string = await session.getAccessToken({ signal: AbortSignal.timeout(1000) });
  const held: OAuthToken | null = session.token;
  const unsubscribe: () => void = session.onChange((token: OAuthToken | null) => void token?.access_token);
  unsubscribe();
  session.signOut();
  const clientId: string = app.clientId;
  const code: CozeAuthErrorCode = 'login_required';
  void [signedIn, access, held, clientId, code];
}

// @ts-expect-error storage is a kind or a storage object
createSession(app, { storage: 'cookie' });
// @ts-expect-error refreshMarginSeconds is a number
createSession(app, { refreshMarginSeconds: '60' });
// @ts-expect-error the token is read-only
createSession(app).token = null;
// @ts-expect-error an access token is a string
void createSession(app).getAccessToken().then((t: OAuthToken) => t);
// @ts-expect-error a session needs a PKCE app
createSession(new TokenAuth({ token: 't' }));

void [wwwBaseURLsOffer, clientTypes, fromPkceConfig, configured, fromAnyConfig, baseURLsOffer, privateBase, flow, branch, wrong, badCode, documentedCodes, otherCode, notOffered, narrowed, narrowedSubclass, details, noCode, timeoutCode, jwt, keyCode, unsupportedCode, noRefresh, sessions];

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
