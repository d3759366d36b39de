// What the login page needs to know of the test's mock Coze (set when the server starts).
export const dynamic = 'force-dynamic'

export function GET () {
  return Response.json({ clientId: process.env.COZE_PKCE_CLIENT_ID, baseURL: process.env.COZE_BASE_URL })
}
