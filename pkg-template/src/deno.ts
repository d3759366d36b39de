// Deno without a permission throws `NotCapable` (Deno 2; `PermissionDenied` before) even for a
// `process.env` read or a file read through node:fs. This turns it into a CozeAuthError that
// names the flag, keeping the original as `cause` (it names the variable or path, no value).

import { CozeAuthError } from './error.js';

/** The CozeAuthError for a permission Deno refused, or undefined when `e` is another error. */
export function denied(e: unknown, flag: string, what: string, instead?: string): CozeAuthError | undefined {
  const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
  if (name !== 'NotCapable' && name !== 'PermissionDenied') return undefined;
  return new CozeAuthError(`Deno denied ${what}: run it with ${flag}${instead ? `, or ${instead}` : ''}.`, { code: 'unsupported', cause: e });
}
