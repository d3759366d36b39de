// A consumer with neither the DOM lib nor @types/node (tsconfig.no-dom.json): the declarations
// must compile, and the fetch types fall back to the shapes the library uses.
import {
  CozeAuthError,
  COZE_COM_BASE_URL,
  DeviceOAuthApp,
  type FetchLike,
  loadOAuthApp,
  OAuthJWTFlow,
  type OAuthToken,
  PKCEOAuthApp,
  type RequestOptions,
  TokenAuth,
  WebOAuthApp,
} from 'coze-auth';

// Without the DOM lib, fetch's init is the library's own shape, and a response needs only what it reads.
const fetch: FetchLike = async (url, init) => {
  const method: string = init.method;
  const manual: 'manual' = init.redirect;
  const aborted: boolean = init.signal.aborted;
  const contentType: string | undefined = init.headers['content-type'];
  void [url, method, manual, aborted, contentType, init.body];
  return { status: 200, headers: { get: (name: string) => (name === 'x-tt-logid' ? 'log' : null) }, arrayBuffer: async () => new ArrayBuffer(0) };
};
const signal: NonNullable<RequestOptions['signal']> = { aborted: false, addEventListener() {}, removeEventListener() {} };

async function flows(): Promise<OAuthToken> {
  const app = new PKCEOAuthApp({ clientId: 'id', baseURL: COZE_COM_BASE_URL, fetch });
  const { codeVerifier } = await app.getOAuthUrl({ redirectUri: 'https://a/cb' });
  await new DeviceOAuthApp({ clientId: 'id', fetch }).getDeviceCode({ signal });
  await new OAuthJWTFlow({ fetch }).getAccessToken({ signal });
  await new WebOAuthApp({ clientId: 'id', clientSecret: 's', fetch }).getOAuthUrl({ redirectUri: 'https://a/cb' });
  loadOAuthApp({ client_type: 'web', client_id: 'id', client_secret: 's' }).free();
  void new TokenAuth({ token: 't' }).authorizationHeader();
  return app.getAccessToken({ code: 'c', redirectUri: 'https://a/cb', codeVerifier, signal });
}

function reason(e: unknown): string {
  if (!(e instanceof CozeAuthError)) return 'other';
  return e.code === 'oauth_error' ? (e.errorCode ?? e.errorMessage) : e.code;
}

// @ts-expect-error a response must have a status
const noStatus: FetchLike = async () => ({ headers: { get: () => null }, arrayBuffer: async () => new ArrayBuffer(0) });

void [flows, reason, noStatus];
