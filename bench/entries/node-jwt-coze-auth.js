// coze-auth, Node build: a service token with the JWT flow (what a Node backend ships).
import { OAuthJWTFlow } from '../../pkg/node/index.mjs'

/** → { access_token, expires_in, … }, cached until it nears expiry. */
export function serviceToken (options) {
  return new OAuthJWTFlow(options).getAccessToken()
}
