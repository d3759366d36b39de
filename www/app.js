// PKCE login demo for coze-auth. Shared by index.html (data-page="login") and
// callback.html (data-page="callback"). Plain ES modules, no framework, no bundler.
//
// The token is kept by the library's session (createSession), in this tab's sessionStorage (its
// default: a reload keeps it, closing the tab forgets it, other tabs do not see it). The library
// also keeps the pending login (state, verifier, redirect URI) there across the redirect. This
// file writes nothing to any storage or cookie itself.

const PKG_ENTRY = '/pkg/browser/index.js'

const $ = (selector) => document.querySelector(selector)

main().catch((err) => showError(err))

async function main () {
  const config = await loadConfig()
  showTarget(config)

  let lib
  try {
    lib = await import(PKG_ENTRY)
  } catch (err) {
    throw new Error(`could not load ${PKG_ENTRY} — is the package built (npm run build)? (${err.message})`)
  }

  const app = new lib.PKCEOAuthApp({
    clientId: config.clientId,
    baseURL: config.baseURL,
    ...(config.wwwBaseURL ? { wwwBaseURL: config.wwwBaseURL } : {})
  })
  const session = lib.createSession(app, { refreshMarginSeconds: REFRESH_MARGIN_SECONDS })
  const redirectUri = config.redirectUri || `${location.origin}/callback.html`

  if (document.body.dataset.page === 'callback') {
    await runCallbackPage(app, session, redirectUri)
  } else {
    runLoginPage(app, session, redirectUri)
  }
}

/** The library's default, spelled out because the page shows when the next refresh is due. */
const REFRESH_MARGIN_SECONDS = 120

async function loadConfig () {
  const res = await fetch('/config.json', { cache: 'no-store' })
  if (!res.ok) throw new Error(`could not load /config.json (HTTP ${res.status})`)
  const config = await res.json()
  if (!config.clientId) throw new Error('/config.json has no clientId')
  return config
}

// ---------------------------------------------------------------- login page

function runLoginPage (app, session, redirectUri) {
  const button = $('#login')
  $('#redirect-uri').textContent = redirectUri
  $('#signed-in').hidden = !session.token
  session.onChange((token) => { $('#signed-in').hidden = !token })
  button.disabled = false
  setStatus('ready')

  button.addEventListener('click', async () => {
    button.disabled = true
    clearError()
    setStatus('busy')
    try {
      // Stores {state, codeVerifier, redirectUri} in sessionStorage keyed by state, then navigates.
      await app.startLogin({ redirectUri })
    } catch (err) {
      showError(err)
      button.disabled = false
    }
  })
}

// ------------------------------------------------------------- callback page

async function runCallbackPage (app, session, redirectUri) {
  const href = location.href
  const params = new URL(href).searchParams
  if (params.has('code') || params.has('error') || params.has('state')) {
    // Drop code/state from the address bar (and from history) before anything else can run.
    history.replaceState(history.state, '', location.pathname)
    try {
      await session.handleCallback(href) // exchanges the code and keeps the token in the session
    } catch (err) {
      if (err?.code === 'oauth_error' && err.errorCode === 'access_denied') {
        // The person said no on Coze's consent page: that is their choice, not a fault, so the
        // page says so in their words and offers to ask again (no developer advice, no codes).
        $('#heading').textContent = 'You did not sign in'
        $('#status').textContent = 'You declined on Coze\'s consent page. Nothing was shared with this site.'
        $('#status').hidden = false
        offerRetry(app, redirectUri)
        setStatus('declined')
        console.info(err)
        return
      }
      $('#heading').textContent = 'Sign-in failed'
      $('#status').hidden = true
      showError(err)
      offerRetry(app, redirectUri)
      return
    }
  } else if (!session.token) {
    // A reload of this page keeps the session; without one there is nothing to show.
    showSignedOut('Nothing to do here', 'This page finishes a login started from the home page.')
    return
  }

  // Every change of the session (a refresh, a sign-out), from this page or the library, lands here.
  session.onChange((token) => token ? renderToken(session) : showSignedOut('Signed out', 'The session is forgotten: sign in again from the home page.'))
  renderToken(session)

  const getToken = $('#get-token')
  getToken.addEventListener('click', async () => {
    getToken.disabled = true
    await useToken(session)
    getToken.disabled = false
  })
  $('#sign-out').addEventListener('click', () => session.signOut())
}

/**
 * Asks the session for an access token, as a page does before each API call: the session
 * refreshes it first when it is due. Reports what happened; a failure is shown, not retried.
 */
async function useToken (session) {
  const before = session.token?.access_token
  clearError()
  setStatus('busy')
  try {
    const accessToken = await session.getAccessToken()
    $('#refreshed').textContent = accessToken === before
      ? `Still valid at ${new Date().toLocaleTimeString()}: not refreshed`
      : `Refreshed at ${new Date().toLocaleTimeString()}`
    setStatus('done')
  } catch (err) {
    showError(err)
  }
}

let refreshTimer
function renderToken (session) {
  const token = session.token
  $('#heading').textContent = 'You are signed in'
  $('#status').hidden = true
  const section = $('#token')
  section.dataset.accessToken = token.access_token
  $('#access-token').textContent = mask(token.access_token)
  $('#refresh-token').textContent = token.refresh_token ? mask(token.refresh_token) : '(none)'
  const expires = new Date(token.expires_in * 1000) // absolute Unix seconds, not a lifetime
  showTime($('#expires'), expires)
  // The session refreshes a token once it expires within the margin. The page asks for the token
  // then, so the refresh happens on time even if nothing else calls; once, not in a loop: a due
  // time already past (a refresh that failed) schedules nothing.
  const due = new Date((token.expires_in - REFRESH_MARGIN_SECONDS) * 1000)
  showTime($('#refresh-due'), due)
  clearTimeout(refreshTimer)
  // (Half a second late: the session counts whole seconds, and a timer may fire a little early.)
  if (due > Date.now()) refreshTimer = setTimeout(() => useToken(session), Math.min(due - Date.now() + 500, 2 ** 31 - 1))
  $('#token-type').textContent = token.token_type || '(not sent)'
  section.hidden = false
  setStatus('done')
}

function showSignedOut (heading, text) {
  clearTimeout(refreshTimer)
  $('#heading').textContent = heading
  $('#status').textContent = text
  $('#status').hidden = false
  $('#token').hidden = true
  delete $('#token').dataset.accessToken
  setStatus('idle')
}

function showTime (el, date) {
  el.dateTime = date.toISOString()
  el.textContent = `${date.toLocaleString()} (${relative(date)})`
}

/** Shows the "Try again" button, which starts a new login. */
function offerRetry (app, redirectUri) {
  const retry = $('#retry')
  retry.hidden = false
  retry.addEventListener('click', async () => {
    retry.disabled = true
    clearError()
    try {
      await app.startLogin({ redirectUri })
    } catch (err) {
      showError(err)
      retry.disabled = false
    }
  }, { once: true })
}

// ------------------------------------------------------------------- helpers

/**
 * A token shown without giving it away: its kind (the prefix before `_`, which every token of a
 * kind shares) and its last 6 characters, which differ from one token to the next, so a refresh
 * shows a visible change.
 */
function mask (secret) {
  const kind = /^[a-z]+_/.exec(secret)?.[0] ?? ''
  return `${kind}…${secret.slice(-6)}`
}

function relative (date) {
  const minutes = Math.round((date.getTime() - Date.now()) / 60000)
  if (minutes >= 0) return minutes < 1 ? 'in under a minute' : `in ${minutes} min`
  return `${-minutes} min ago`
}

function showTarget (config) {
  const el = $('#target')
  const host = safeHost(config.baseURL)
  let region
  if (config.mode === 'mock') region = 'local mock Coze server'
  else if (host === 'api.coze.cn') region = 'Coze China (coze.cn)'
  else if (host === 'api.coze.com') region = 'Coze global (coze.com)'
  else region = 'a custom Coze deployment'
  el.replaceChildren(
    badge(config.mode === 'mock' ? 'mock' : 'coze', config.mode === 'mock' ? 'Mock' : 'Live'),
    ` Targets ${region}: `,
    code(config.baseURL || 'https://api.coze.cn'),
    ' · client ',
    code(config.clientId)
  )
  document.body.dataset.mode = config.mode
}

function badge (kind, text) {
  const span = document.createElement('span')
  span.className = `badge badge-${kind}`
  span.textContent = text
  return span
}

function code (text) {
  const el = document.createElement('code')
  el.textContent = text
  return el
}

function safeHost (url) {
  try { return new URL(url).host } catch { return '' }
}

function showError (err) {
  const el = $('#error')
  // CozeAuthError: `code: message`, plus Coze's own error code and log id when present.
  let text = err?.code ? `${err.code}: ${err.message}` : `${err?.name || 'Error'}: ${err?.message ?? err}`
  const extra = []
  if (err?.errorCode) extra.push(`errorCode ${err.errorCode}`)
  if (err?.errorMessage && !String(err.message).includes(err.errorMessage)) extra.push(`“${err.errorMessage}”`)
  if (err?.status) extra.push(`HTTP ${err.status}`)
  // The message may already name the log id (the core adds it to some): say it once.
  if (err?.logId && !String(err.message).includes(err.logId)) extra.push(`logId ${err.logId}`)
  if (extra.length) text += ` (${extra.join(', ')})`
  el.textContent = text
  el.hidden = false
  setStatus('error')
  console.error(err)
}

function clearError () {
  const el = $('#error')
  el.textContent = ''
  el.hidden = true
}

function setStatus (status) {
  document.body.dataset.status = status
}
