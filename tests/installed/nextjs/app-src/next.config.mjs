// No serverExternalPackages: coze-auth must work bundled into Next's server code as it is.
// The roots are this project (beside it, the repository has lockfiles of its own, which Next
// would otherwise take for a workspace root); the build dir is per bundler (the test builds
// each project with both). NEXT_OUTPUT=standalone makes the build the self-contained server
// of `output: 'standalone'` (Docker images copy it without the app's node_modules), and
// NEXT_TRACE_COZE_AUTH=1 adds README's snippet for it (webpack's tracing skips node_modules).
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

export default {
  distDir: process.env.NEXT_DIST_DIR || '.next',
  output: process.env.NEXT_OUTPUT === 'standalone' ? 'standalone' : undefined,
  outputFileTracingRoot: here,
  turbopack: { root: here },
  ...(process.env.NEXT_TRACE_COZE_AUTH === '1' && {
    // README's snippet, as it is there
    outputFileTracingIncludes: {
      '/*': ['./node_modules/coze-auth/package.json', './node_modules/coze-auth/node/coze_auth_bg.wasm']
    }
  })
}
