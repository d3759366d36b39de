// The default browser build with the .wasm copied where the app serves it, handed to initWasm.
import { PKCEOAuthApp, CozeAuthError, initWasm } from 'coze-auth'
import { runPage } from '../../bundlers/shared/page.js'

await initWasm(fetch(new URL('/assets/coze_auth_bg.wasm', location.href)))
runPage({ PKCEOAuthApp, CozeAuthError })
