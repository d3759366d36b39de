// oauth4webapi 3.8.8: the same job with a generic, spec-compliant OAuth client.
// (It sends RFC 6749 form-encoded token requests, which Coze does not accept — Coze wants JSON —
// so this is a size reference for "a small generic OAuth library", not a working Coze client.)
import * as oauth from 'oauth4webapi'

const as = {
  issuer: 'https://api.coze.cn',
  authorization_endpoint: 'https://www.coze.cn/api/permission/oauth2/authorize',
  token_endpoint: 'https://api.coze.cn/api/permission/oauth2/token'
}
const client = { client_id: 'bench-client' }
const clientAuth = oauth.None()

/** → { url, state, codeVerifier } */
export async function authorizeUrl (redirectUri) {
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const url = new URL(as.authorization_endpoint)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', client.client_id)
  url.searchParams.set('redirect_uri', redirectUri)
  url.searchParams.set('state', state)
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier))
  url.searchParams.set('code_challenge_method', 'S256')
  return { url: url.href, state, codeVerifier }
}

export async function exchange (callbackUrl, state, codeVerifier, redirectUri) {
  const params = oauth.validateAuthResponse(as, client, new URL(callbackUrl), state)
  const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, codeVerifier)
  return oauth.processAuthorizationCodeResponse(as, client, response)
}

export async function refresh (refreshToken) {
  const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken)
  return oauth.processRefreshTokenResponse(as, client, response)
}
