// TokenAuth: a static bearer token (a personal access token `pat_…`, a service access token, or
// an access token obtained elsewhere), in both builds.
//
// The rule mirrors the core's `TokenAuth::new` and `check_runtime` (src/core/token_auth.rs) in
// JS rather than calling the module: the browser build loads the module asynchronously, and the
// refusal of a `pat_` token must happen at construction; the browser module stays as it was.
// Keep the two in step (the messages here are shorter: they ship to every page).

import { expectOptions, fail, get, string } from './core.js';
import { BROWSER_BUILD } from './wasm.js';

const PERSONAL_ACCESS_TOKEN_PREFIX = 'pat_';

/** Options of {@link TokenAuth}. */
export interface TokenAuthOptions {
  /** A personal access token (`pat_…`), a service access token, or an access token. */
  token: string;
  /**
   * Browser build only: accept a `pat_` token in a page (anyone who opens the page can read it).
   * Default false: the constructor throws `invalid_argument`.
   */
  allowPersonalAccessTokenInBrowser?: boolean;
}

/** A static bearer token for Coze's OpenAPI (both builds). */
export class TokenAuth {
  #token: string;

  /** @throws {CozeAuthError} `invalid_argument`: empty, inner whitespace, or a `pat_` token in the browser build. */
  constructor(options: TokenAuthOptions) {
    expectOptions(options, 'TokenAuth', '{ token }');
    const token = string(options, 'token', true).trim();
    const allow = get(options, 'allowPersonalAccessTokenInBrowser');
    if (allow != null && typeof allow !== 'boolean') throw fail('allowPersonalAccessTokenInBrowser must be a boolean.');
    if (token === '' || /[\s\p{Cc}]/u.test(token)) throw fail('token must be a non-empty token without whitespace.');
    this.#token = token;
    if (BROWSER_BUILD && this.isPersonalAccessToken && !allow) {
      throw fail('A pat_ token in a page is readable by anyone who opens it: use PKCEOAuthApp, or set allowPersonalAccessTokenInBrowser.');
    }
  }

  /** The token (trimmed). Secret. */
  get token(): string {
    return this.#token;
  }

  /** True for a personal access token (`pat_…`). */
  get isPersonalAccessToken(): boolean {
    return this.#token.startsWith(PERSONAL_ACCESS_TOKEN_PREFIX);
  }

  /** `Bearer <token>`, for the `Authorization` header. */
  authorizationHeader(): string {
    return `Bearer ${this.#token}`;
  }
}
