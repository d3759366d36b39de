// The jobs every server-side runtime runs with the coze-auth it imported (passed in: this file
// imports nothing, so it runs unbundled in workerd too): a JWT token minted and signed there
// (the mock verifies the RS256 signature), and a PKCE login whose consent this file plays over
// HTTP (the mock's consent page links to the decision, which redirects with the code) before
// the code exchange. Failures are reported, not thrown: `{ name, code, message }`.

const describe = (e) => ({ name: e?.name, code: e?.code, message: String(e?.message) })

export async function runJobs (lib, { baseURL, appId, keyid, privateKey, clientId, redirectUri, jobs = ['jwt', 'pkce'] }) {
  const out = { exports: Object.keys(lib).sort() }
  if (jobs.includes('jwt')) {
    try {
      const flow = new lib.OAuthJWTFlow({ baseURL, appId, keyid, privateKey })
      out.jwt = await flow.getAccessToken({ durationSeconds: 600 })
    } catch (e) {
      out.jwt = { error: describe(e) }
    }
  }
  if (jobs.includes('pkce')) {
    try {
      const app = new lib.PKCEOAuthApp({ clientId, baseURL, wwwBaseURL: baseURL })
      const { url, codeVerifier } = await app.getOAuthUrl({ redirectUri })
      const page = await (await fetch(url)).text()
      const href = /id="authorize" href="([^"]+)"/.exec(page)?.[1]?.replaceAll('&amp;', '&')
      if (!href) throw new Error(`no consent link on the authorize page: ${page.slice(0, 200)}`)
      const consent = await fetch(new URL(href, baseURL), { redirect: 'manual' })
      const code = new URL(consent.headers.get('location')).searchParams.get('code')
      out.pkce = await app.getAccessToken({ code, codeVerifier, redirectUri })
    } catch (e) {
      out.pkce = { error: describe(e) }
    }
  }
  try {
    // A Worker or a server may hold a personal access token (only the browser builds refuse it).
    out.pat = new lib.TokenAuth({ token: 'pat_runtime_test' }).isPersonalAccessToken
  } catch (e) {
    out.pat = { error: describe(e) }
  }
  return out
}
