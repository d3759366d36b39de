// coze-auth: build the S256 PKCE authorize URL, check the callback and exchange the code, refresh.
import { PKCEOAuthApp } from '../../pkg/browser/index.js'

const BASE_URL = 'https://api.coze.cn'
let app
const getApp = () => (app ??= new PKCEOAuthApp({ clientId: 'bench-client', baseURL: BASE_URL }))

/** → { url, state, codeVerifier } (state: 128 random bits; challenge: S256). */
export function authorizeUrl (redirectUri) {
  return getApp().getOAuthUrl({ redirectUri })
}

/** Checks state against the pending login, then exchanges the code. */
export function exchange (callbackUrl, state, codeVerifier, redirectUri) {
  const params = new URL(callbackUrl).searchParams
  if (params.get('state') !== state) throw new Error('state mismatch')
  return getApp().getAccessToken({ code: params.get('code'), redirectUri, codeVerifier })
}

export function refresh (refreshToken) {
  return getApp().refreshAccessToken(refreshToken)
}
