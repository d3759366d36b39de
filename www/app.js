// PKCE login demo for coze-auth. Shared by index.html (data-page="login") and
// callback.html (data-page="callback"). Plain ES modules, no framework, no bundler.
//
// Tokens live only in this module's memory: nothing is written to localStorage,
// sessionStorage or cookies by this file (the library itself keeps the pending
// login — state, verifier, redirect URI — in sessionStorage across the redirect).

const PKG_ENTRY = '/pkg/browser/index.js'

const $ = (selector) => document.querySelector(selector)

/** Memory-only token store for this tab. */
let token = null

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
  const redirectUri = config.redirectUri || `${location.origin}/callback.html`

  if (document.body.dataset.page === 'callback') {
    await runCallbackPage(app)
  } else {
    runLoginPage(app, redirectUri)
  }
}

async function loadConfig () {
  const res = await fetch('/config.json', { cache: 'no-store' })
  if (!res.ok) throw new Error(`could not load /config.json (HTTP ${res.status})`)
  const config = await res.json()
  if (!config.clientId) throw new Error('/config.json has no clientId')
  return config
}

// ---------------------------------------------------------------- login page

function runLoginPage (app, redirectUri) {
  const button = $('#login')
  $('#redirect-uri').textContent = redirectUri
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

async function runCallbackPage (app) {
  const href = location.href
  const params = new URL(href).searchParams
  if (!params.has('code') && !params.has('error') && !params.has('state')) {
    $('#heading').textContent = 'Nothing to do here'
    $('#status').textContent = 'This page finishes a login started from the home page.'
    setStatus('idle')
    return
  }

  // Drop code/state from the address bar (and from history) before anything else can run.
  history.replaceState(history.state, '', location.pathname)

  try {
    token = await app.handleCallback(href)
  } catch (err) {
    $('#heading').textContent = 'Sign-in failed'
    $('#status').hidden = true
    showError(err)
    return
  }

  $('#heading').textContent = 'You are signed in'
  $('#status').hidden = true
  renderToken()
  setStatus('done')

  const refresh = $('#refresh')
  refresh.addEventListener('click', async () => {
    if (!token?.refresh_token) return
    refresh.disabled = true
    clearError()
    setStatus('busy')
    try {
      // Refresh tokens may rotate: always keep the newest one.
      token = await app.refreshAccessToken(token.refresh_token)
      renderToken()
      $('#refreshed').textContent = `Refreshed at ${new Date().toLocaleTimeString()}`
      setStatus('done')
    } catch (err) {
      showError(err)
    } finally {
      refresh.disabled = !token?.refresh_token
    }
  })
}

function renderToken () {
  const section = $('#token')
  section.dataset.accessToken = token.access_token
  $('#access-token').textContent = mask(token.access_token)
  $('#refresh-token').textContent = token.refresh_token ? mask(token.refresh_token) : '(none)'
  const expires = new Date(token.expires_in * 1000) // absolute Unix seconds, not a lifetime
  const time = $('#expires')
  time.dateTime = expires.toISOString()
  time.textContent = `${expires.toLocaleString()} (${relative(expires)})`
  $('#token-type').textContent = token.token_type || '(not sent)'
  $('#refresh').disabled = !token.refresh_token
  section.hidden = false
}

// ------------------------------------------------------------------- helpers

function mask (secret) {
  return `${secret.slice(0, 8)}…`
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
  if (err?.logId) extra.push(`logId ${err.logId}`)
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
