// What several test files of the packed package share.
import assert from 'node:assert/strict'
import { CozeAuthError } from 'coze-auth'

/** Awaits `promise`, expects a CozeAuthError with the `fields` given, and returns it. */
export async function rejects(promise, fields) {
  const err = await promise.then(
    (v) => assert.fail(`resolved with ${JSON.stringify(v)}`),
    (e) => e,
  )
  assert.ok(err instanceof CozeAuthError, `not a CozeAuthError: ${err}`)
  for (const [k, v] of Object.entries(fields)) assert.equal(err[k], v, `${k} of ${err.message}`)
  return err
}
