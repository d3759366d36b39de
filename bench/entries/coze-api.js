// @coze/api 1.3.9: the same job with the official JS SDK's PKCE helpers.
import { getPKCEAuthenticationUrl, getPKCEOAuthToken, refreshOAuthToken } from '@coze/api'

const BASE_URL = 'https://api.coze.cn'
const CLIENT_ID = 'bench-client'

function randomState () {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** → { url, state, codeVerifier } (the SDK neither generates nor checks state: the caller does). */
export async function authorizeUrl (redirectUri) {
  const state = randomState()
  const { url, codeVerifier } = await getPKCEAuthenticationUrl({
    baseURL: BASE_URL, clientId: CLIENT_ID, redirectUrl: redirectUri, state, code_challenge_method: 'S256'
  })
  return { url, state, codeVerifier }
}

export function exchange (callbackUrl, state, codeVerifier, redirectUri) {
  const params = new URL(callbackUrl).searchParams
  if (params.get('state') !== state) throw new Error('state mismatch')
  return getPKCEOAuthToken({ baseURL: BASE_URL, clientId: CLIENT_ID, redirectUrl: redirectUri, code: params.get('code'), codeVerifier })
}

export function refresh (refreshToken) {
  return refreshOAuthToken({ baseURL: BASE_URL, clientId: CLIENT_ID, refreshToken })
}
