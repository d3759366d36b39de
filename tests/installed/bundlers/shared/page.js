// The page both bundler apps build: one page that starts the login and is also the redirect
// target (redirect URI = the page itself), so neither app needs a multi-page bundler config.
// The app's entry passes in what it imported from 'coze-auth'; this file imports nothing, so the
// package resolves from each app's own node_modules.
//
// State for the test: <body data-status="ready|busy|done|error">, #token[data-access-token].

export async function runPage ({ PKCEOAuthApp, CozeAuthError }) {
  const status = (s) => { document.body.dataset.status = s }
  try {
    // The test's static server answers /config.json with the mock Coze's URL and client id.
    const config = await (await fetch('/config.json', { cache: 'no-store' })).json()
    const app = new PKCEOAuthApp({ clientId: config.clientId, baseURL: config.baseURL, wwwBaseURL: config.baseURL })
    const redirectUri = `${location.origin}/`
    const params = new URLSearchParams(location.search)
    if (params.has('code') || params.has('error')) {
      const token = await app.handleCallback(location.href)
      history.replaceState(null, '', '/')
      const out = document.querySelector('#token')
      out.dataset.accessToken = token.access_token
      out.textContent = `token until ${new Date(token.expires_in * 1000).toISOString()}`
      status('done')
    } else {
      const button = document.querySelector('#login')
      button.addEventListener('click', () => {
        status('busy')
        app.startLogin({ redirectUri }).catch(fail)
      })
      button.disabled = false
      status('ready')
    }
  } catch (err) {
    fail(err)
  }

  function fail (err) {
    const kind = err instanceof CozeAuthError ? `CozeAuthError ${err.code}` : String(err?.name)
    document.querySelector('#error').textContent = `${kind}: ${err?.message}`
    status('error')
  }
}
