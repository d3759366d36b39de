// A JWT token minted by the route's runtime (Node: the Node build, node:crypto; edge: the edge
// build, WebCrypto) against the test's mock Coze, which verifies the signature. Failures are
// answered as { error: { name, code, message } }.
import { OAuthJWTFlow } from 'coze-auth'

export async function mint () {
  const runtime = typeof globalThis.EdgeRuntime === 'string' ? 'edge' : 'nodejs'
  try {
    const flow = new OAuthJWTFlow({
      baseURL: process.env.COZE_BASE_URL,
      appId: process.env.COZE_JWT_APP_ID,
      keyid: process.env.COZE_JWT_KEY_ID,
      privateKey: process.env.COZE_JWT_PRIVATE_KEY
    })
    const token = await flow.getAccessToken({ durationSeconds: 600 })
    return Response.json({ runtime, access_token: token.access_token })
  } catch (e) {
    return Response.json({ runtime, error: { name: e?.name, code: e?.code, message: String(e?.message) } }, { status: 500 })
  }
}
