'use client'
// The login page, also the redirect target (redirect URI = this page). Next prerenders it at
// build time on the server, which imports coze-auth's Node build there: the import must read
// nothing. In the browser it is the browser build, which fetches its .wasm as an asset.
// State for the test: <main data-status="loading|ready|busy|done|error">, #token[data-access-token].
import { useEffect, useState } from 'react'
import { CozeAuthError, PKCEOAuthApp } from 'coze-auth'

const describe = (e) => `${e instanceof CozeAuthError ? `CozeAuthError ${e.code}` : String(e?.name)}: ${e?.message}`

export default function Page () {
  const [state, setState] = useState({ status: 'loading' })
  useEffect(() => {
    (async () => {
      // The test's server answers /config.json with the mock Coze's URL and the client id.
      const config = await (await fetch('/config.json', { cache: 'no-store' })).json()
      const app = new PKCEOAuthApp({ clientId: config.clientId, baseURL: config.baseURL, wwwBaseURL: config.baseURL })
      const redirectUri = `${location.origin}/`
      const params = new URLSearchParams(location.search)
      if (params.has('code') || params.has('error')) {
        const token = await app.handleCallback(location.href)
        history.replaceState(null, '', '/')
        setState({ status: 'done', token: token.access_token })
      } else {
        const login = () => {
          setState({ status: 'busy' })
          app.startLogin({ redirectUri }).catch((e) => setState({ status: 'error', error: describe(e) }))
        }
        setState({ status: 'ready', login })
      }
    })().catch((e) => setState({ status: 'error', error: describe(e) }))
  }, [])
  return (
    <main data-status={state.status}>
      <button id='login' type='button' disabled={state.status !== 'ready'} onClick={state.login}>Log in with Coze</button>
      <p id='token' data-access-token={state.token}>{state.token ? 'logged in' : ''}</p>
      <p id='error'>{state.error}</p>
    </main>
  )
}
