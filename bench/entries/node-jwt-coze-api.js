// @coze/api 1.3.9: the same job with the official JS SDK's JWT helper.
import { getJWTToken } from '@coze/api'

export function serviceToken ({ baseURL, appId, keyid, privateKey }) {
  return getJWTToken({ baseURL, appId, aud: new URL(baseURL).host, keyid, privateKey })
}
