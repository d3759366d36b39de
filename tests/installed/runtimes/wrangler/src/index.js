// A Worker on coze-auth (wrangler picks the package's edge build by the `workerd` condition):
//   GET /jwt       a service token from the JWT flow, signed here with WebCrypto
//   GET /login     302 to Coze's authorize page (PKCE), the verifier kept in a cookie
//   GET /callback  exchanges the code for a token
// Errors are answered as JSON `{ error: { name, code, message } }` with status 500.
import { OAuthJWTFlow, PKCEOAuthApp } from 'coze-auth'

let flow

const pkce = (env) => new PKCEOAuthApp({ clientId: env.COZE_CLIENT_ID, baseURL: env.COZE_API_BASE, wwwBaseURL: env.COZE_API_BASE })

// A test's cookie: a real app would sign or encrypt it (the verifier is what makes the code usable).
const COOKIE = 'coze_pkce'

async function route (request, env) {
  const url = new URL(request.url)
  if (url.pathname === '/jwt') {
    flow ??= new OAuthJWTFlow({ baseURL: env.COZE_API_BASE, appId: env.COZE_APP_ID, keyid: env.COZE_KEY_ID, privateKey: env.COZE_PRIVATE_KEY })
    return Response.json(await flow.getAccessToken({ durationSeconds: 600 }))
  }
  if (url.pathname === '/login') {
    const { url: authorize, state, codeVerifier } = await pkce(env).getOAuthUrl({ redirectUri: `${url.origin}/callback` })
    return new Response(null, {
      status: 302,
      headers: { location: authorize, 'set-cookie': `${COOKIE}=${state}.${codeVerifier}; Path=/callback; HttpOnly; SameSite=Lax` }
    })
  }
  if (url.pathname === '/callback') {
    const cookie = new RegExp(`(?:^|;\\s*)${COOKIE}=([^.;]+)\\.([^;]+)`).exec(request.headers.get('cookie') ?? '')
    if (!cookie || cookie[1] !== url.searchParams.get('state')) return new Response('state mismatch', { status: 400 })
    const token = await pkce(env).getAccessToken({ code: url.searchParams.get('code') ?? '', codeVerifier: cookie[2], redirectUri: `${url.origin}/callback` })
    return Response.json(token)
  }
  return new Response('not found', { status: 404 })
}

export default {
  async fetch (request, env) {
    try {
      return await route(request, env)
    } catch (e) {
      return Response.json({ error: { name: e?.name, code: e?.code, message: String(e?.message) } }, { status: 500 })
    }
  }
}
