// The one error class of coze-auth. The WebAssembly layer builds every error with it (the
// loader registers it), so `err instanceof CozeAuthError` holds and `err.code` is stable.

/** Stable machine-readable failure kinds: branch on these, not on messages. */
export type CozeAuthErrorCode =
  /** An option or parameter is missing or malformed; nothing was sent. */
  | 'invalid_argument'
  /** The callback's state is missing or does not match. */
  | 'invalid_state'
  /** No stored login matches the callback (already used, other tab/browser, or expired). */
  | 'missing_pending_flow'
  /** Coze answered with an OAuth error (`errorCode`, `errorMessage`). */
  | 'oauth_error'
  /** Coze answered with an HTTP error status and no OAuth error body. */
  | 'http_error'
  /** The response could not be understood (not JSON, missing `access_token`, …). */
  | 'invalid_response'
  /** No complete response within `timeoutMs`. */
  | 'timeout'
  /** The caller's `AbortSignal` fired. */
  | 'aborted'
  /** The request never got an HTTP response (DNS, refused, reset, CORS). */
  | 'network_error'
  /** A private key that cannot be used (malformed, encrypted, not RSA, bad size); the message never quotes it. */
  | 'invalid_key'
  /** This class does not run here (e.g. `DeviceOAuthApp` or `OAuthJWTFlow` in a browser build). */
  | 'unsupported'
  /** The user must sign in again: a session has no token (never signed in, signed out) or Coze refused its refresh token. */
  | 'login_required'
  /** The WebAssembly module failed (a trap: out of memory, or a bug; `cause` has it); it was replaced by a fresh one. */
  | 'internal';

/**
 * Coze's OAuth error code (`errorCode`): one of the codes Coze's token endpoint documents, or any
 * other string it sends (e.g. a numeric API code such as `4100`, or an `error=` from a callback).
 * The open end is `string & Record<never, never>`, not `string & {}`, which TypeScript reduces to
 * plain `string` under `NonNullable` or beside an optional property's `undefined` (as in the
 * narrowed `CozeAuthError`), and completion would lose the codes.
 */
export type CozeOAuthErrorCode =
  /** Device flow: the user has not answered yet; poll again after the interval. */
  | 'authorization_pending'
  /** Device flow: polling too fast; add 5 seconds to the interval. */
  | 'slow_down'
  /** The user declined the authorization. */
  | 'access_denied'
  /** Device flow: the device code expired; request a new one. */
  | 'expired_token'
  | (string & Record<never, never>);

/**
 * What a {@link CozeAuthError} carries besides its message, by `code`: `e instanceof CozeAuthError`
 * narrows `e` to `CozeAuthError & CozeAuthErrorDetails`, so a check of `e.code` narrows the rest.
 * Only an `oauth_error` has `errorCode`, `errorMessage` and `param`, and it always has `errorCode`
 * or `errorMessage`: Coze may answer with only an `error_message`, so even an `oauth_error` may
 * lack `errorCode` (`e.errorCode ?? e.errorMessage` is a string).
 */
export type CozeAuthErrorDetails =
  | {
      readonly code: 'oauth_error';
      readonly errorCode: CozeOAuthErrorCode;
      readonly errorMessage?: string;
      readonly param?: string;
    }
  | {
      readonly code: 'oauth_error';
      readonly errorCode?: undefined;
      readonly errorMessage: string;
      readonly param?: string;
    }
  | {
      readonly code: Exclude<CozeAuthErrorCode, 'oauth_error'>;
      readonly errorCode?: undefined;
      readonly errorMessage?: undefined;
      readonly param?: undefined;
    };

/** The one error class of this library. Messages never contain codes, verifiers, tokens or secrets. */
export class CozeAuthError extends Error {
  // `declare`: typed here, set in the constructor only when known, so an error carries no
  // own `errorCode: undefined` (and the class body emits nothing for them).
  declare readonly name: 'CozeAuthError';
  /** What went wrong, as a stable code. */
  declare readonly code: CozeAuthErrorCode;
  /** Coze's OAuth error code (`error_code` or `error` in the body), e.g. `access_denied`. */
  declare readonly errorCode?: CozeOAuthErrorCode;
  /** Coze's human text (`error_message` or `error_description`). */
  declare readonly errorMessage?: string;
  /**
   * Coze's `param`, which coze-go and coze-java show beside the error code: which parameter the
   * error is about, when Coze says.
   */
  declare readonly param?: string;
  /** HTTP status, when a response arrived. */
  declare readonly status?: number;
  /** Coze's `x-tt-logid` response header: quote it to Coze support. */
  declare readonly logId?: string;
  /** The underlying error (e.g. the fetch failure), when there is one. */
  declare readonly cause?: unknown;
  /**
   * Types only (nothing at run time): `e instanceof CozeAuthError`, or a subclass, narrows `e` to
   * that class `& CozeAuthErrorDetails`, a union on `code` (TypeScript 5.3 and later).
   */
  declare static readonly [Symbol.hasInstance]: <C extends abstract new (...args: never) => CozeAuthError>(
    this: C,
    value: unknown,
  ) => value is InstanceType<C> & CozeAuthErrorDetails;

  /**
   * @param message what went wrong and what to do; never contains a secret
   * @param details the stable `code` (default `invalid_argument`) and what Coze said
   */
  constructor(
    message: string,
    details: { code?: CozeAuthErrorCode; errorCode?: CozeOAuthErrorCode; errorMessage?: string; param?: string; status?: number; logId?: string; cause?: unknown } = {},
  ) {
    super(message, 'cause' in details ? { cause: details.cause } : undefined);
    this.code = details.code ?? 'invalid_argument';
    for (const key of ['errorCode', 'errorMessage', 'param', 'status', 'logId'] as const) {
      if (details[key] !== undefined) (this as Record<typeof key, unknown>)[key] = details[key];
    }
  }
}

/** A `CozeAuthError` with `code` (default `invalid_argument`), and `cause` only when there is one. */
export const fail = (message: string, code: CozeAuthErrorCode = 'invalid_argument', cause?: unknown): CozeAuthError =>
  new CozeAuthError(message, cause === undefined ? { code } : { code, cause });

Object.defineProperty(CozeAuthError.prototype, 'name', {
  value: 'CozeAuthError',
  writable: true,
  configurable: true,
});
