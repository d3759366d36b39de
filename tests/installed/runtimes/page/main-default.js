// The default browser build, bundled by esbuild, which emits no .wasm: served by a server that
// answers its HTML page for unknown paths, the first use must say so (a CozeAuthError).
import { PKCEOAuthApp, CozeAuthError } from 'coze-auth'
import { runPage } from '../../bundlers/shared/page.js'

runPage({ PKCEOAuthApp, CozeAuthError })
