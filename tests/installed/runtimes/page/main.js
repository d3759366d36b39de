// The bundlers' page: the shared PKCE login page, on the inline build (no .wasm to emit or fetch).
import { PKCEOAuthApp, CozeAuthError } from 'coze-auth/inline'
import { runPage } from '../../bundlers/shared/page.js'

runPage({ PKCEOAuthApp, CozeAuthError })
