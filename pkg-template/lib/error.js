// The one error class of coze-auth. The WebAssembly layer builds every error with it (the
// loader registers it), so `err instanceof CozeAuthError` holds and `err.code` is stable.

export class CozeAuthError extends Error {
  /**
   * @param {string} message what went wrong and what to do; never contains a secret
   * @param {{code?: string, errorCode?: string, errorMessage?: string, status?: number, logId?: string, cause?: unknown}} [details]
   */
  constructor(message, details = {}) {
    super(message, 'cause' in details ? { cause: details.cause } : undefined);
    this.code = details.code ?? 'invalid_argument';
    for (const key of ['errorCode', 'errorMessage', 'status', 'logId']) {
      if (details[key] !== undefined) this[key] = details[key];
    }
  }
}

Object.defineProperty(CozeAuthError.prototype, 'name', {
  value: 'CozeAuthError',
  writable: true,
  configurable: true,
});
