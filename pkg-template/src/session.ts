// Sessions: keeps a PKCE login's token, refreshes it before it expires (once between the tabs
// that share its storage), and tells every such tab when it changes. A standalone factory in its
// own module rather than a method of PKCEOAuthApp: a class's methods cannot be tree-shaken, so a
// method would put this code in every page that logs in, sessions or not.

import { aborted, expectObject, fail, get, nowSeconds, type OAuthToken, type PendingFlowStorage, type RequestOptions, type Signal, signalOf, sleep } from './core.js';
import type { HandleCallbackOptions, PKCEOAuthApp } from './pkce.js';

/** A synchronous string store (`localStorage`-like) that keeps a session's token. */
export type TokenStorage = PendingFlowStorage;

/** Options of {@link createSession}. */
export interface SessionOptions {
  /**
   * Where the token (with its refresh token) is kept:
   * - `'session'` (default; `'memory'` where there is no `sessionStorage`, e.g. Node):
   *   `sessionStorage`. Survives reloads of the tab, is forgotten when the tab closes, and is
   *   not shared with other tabs (each tab signs in and refreshes on its own; a tab the browser
   *   duplicates starts with a copy, and the first of the two to refresh wins, the other must
   *   sign in again).
   * - `'local'`: `localStorage`. Survives reloads and browser restarts, shared by every tab of
   *   the origin, which refresh once between them. But any script that runs in the origin (an
   *   XSS) can read the refresh token, for as long as it lives: opt in knowingly.
   * - `'memory'`: this page's JavaScript heap only. Nothing for an XSS to read later, but a
   *   reload or a new tab means signing in again.
   * - any object with `getItem`, `setItem` and `removeItem` (synchronous): treated as shared
   *   between tabs, like `'local'`.
   */
  storage?: 'session' | 'local' | 'memory' | TokenStorage;
  /**
   * How many seconds before its expiry a token is refreshed. Default 120: the token is used right
   * after it is handed out (a request, perhaps a long stream), and a browser's clock is often off
   * Coze's by tens of seconds; with Coze's 15-minute access tokens, 2 minutes still means one
   * refresh per 13 minutes of use. A margin longer than the tokens' lifetime refreshes on every call.
   */
  refreshMarginSeconds?: number;
}

/**
 * A signed-in user's token, kept in storage and refreshed when needed. Made by
 * {@link createSession}. Tabs that share the storage (`'local'` or your own) share the session:
 * a refresh, sign-in or sign-out in one reaches the others.
 */
export interface Session {
  /** The stored token (possibly expired), or `null` when signed out. Synchronous. */
  readonly token: OAuthToken | null;
  /**
   * What {@link PKCEOAuthApp.handleCallback} does (state check, code exchange), then keeps the
   * token. `url` defaults to `location.href`.
   */
  handleCallback(url?: string, options?: HandleCallbackOptions): Promise<OAuthToken>;
  /**
   * A valid access token. When the stored one expires within `refreshMarginSeconds`, it is
   * refreshed first: once for all callers of the page, and once for all tabs sharing the storage
   * (under a Web Lock where the browser has them, else a lock record in the storage; the token is
   * read again under the lock, so a refresh token is sent once), and the rotated refresh token is
   * stored before this resolves. A failed refresh is not retried: the call rejects, and the next
   * call makes one new attempt.
   *
   * @throws {CozeAuthError} `login_required` when there is no session or Coze refused the refresh
   * token (the session is then forgotten in every tab); `network_error`, `timeout`, `http_error`…
   * when the refresh failed otherwise (the session is kept); `aborted` when `signal` fired (the
   * refresh itself goes on for the other callers).
   */
  getAccessToken(options?: RequestOptions): Promise<string>;
  /** Forgets the token, in every tab sharing the storage. The token is not revoked at Coze. */
  signOut(): void;
  /**
   * Calls `listener` with the new token, or `null`, whenever the session changes: sign-in, refresh
   * or sign-out, in this tab or another sharing the storage. Returns a function that unsubscribes.
   */
  onChange(listener: (token: OAuthToken | null) => void): () => void;
}

// The lock record of browsers without Web Locks: `<owner> <expiry ms>` under `<key>:lock`. An
// owner re-reads it after SETTLE to know it won (two tabs may both have seen no lock and written
// theirs: the storage keeps the last, and a write reaches the other tabs well within SETTLE). A
// lock left by a closed tab expires after TTL, longer than a refresh's default 30 s time limit.
const LOCK_TTL_MS = 60000;
const LOCK_SETTLE_MS = 100;
const LOCK_POLL_MS = 50;

const loginRequired = (cause?: unknown) =>
  fail('Sign-in required: no session is stored (never signed in, or signed out), or Coze refused its refresh token.', 'login_required', cause);

/**
 * Keeps `app`'s login in `options.storage` and refreshes it when needed: see {@link Session}.
 * Make one per app and page, and keep it: each listens to the other tabs for as long as the page
 * lives.
 *
 * ```ts
 * const session = createSession(app)                 // sessionStorage; { storage: 'local' } shares it between tabs
 * await session.handleCallback()                     // on the redirect page
 * const token = await session.getAccessToken()       // anywhere later: fresh, refreshed if needed
 * ```
 * @throws {CozeAuthError} `invalid_argument` when an option is malformed or the storage is not available.
 */
export function createSession(app: PKCEOAuthApp, options?: SessionOptions): Session {
  expectObject(options, 'options', true);
  const key = 'coze-auth:session:' + app.clientId;
  const kind = get(options, 'storage') ?? (get(globalThis, 'sessionStorage') ? 'session' : 'memory');
  const margin = get(options, 'refreshMarginSeconds') ?? 120;
  if (typeof margin !== 'number' || !(margin >= 0 && margin <= 86400)) throw fail('refreshMarginSeconds must be a number of seconds from 0 to 86400.');
  let store: unknown = kind;
  if (kind === 'memory') {
    const map = new Map<string, string>();
    store = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => map.set(k, v), removeItem: (k: string) => map.delete(k) };
  } else if (kind === 'session' || kind === 'local') {
    store = get(globalThis, kind + 'Storage'); // the getter throws where storage is blocked: absent
  }
  if (!['getItem', 'setItem', 'removeItem'].every((m) => typeof get(store, m) === 'function')) {
    throw fail("storage must be 'session', 'local', 'memory', or an object with getItem, setItem and removeItem (and 'session' and 'local' need that Web Storage here).");
  }
  // Tabs share the storage unless it is per tab ('session') or per page ('memory').
  const shared = kind !== 'session' && kind !== 'memory';
  const call = (method: keyof TokenStorage, k: string, value?: string): string | null | undefined => {
    try {
      return (store as Record<string, (k: string, v?: string) => string | null | undefined>)[method]!(k, value);
    } catch (e) {
      throw fail('The session storage failed (full, or blocked by the browser).', 'invalid_argument', e);
    }
  };

  const listeners = new Set<(token: OAuthToken | null) => void>();
  const waiters: (() => void)[] = [];
  let raw: string | null | undefined = null;
  let token: OAuthToken | null = null;
  // The storage is the truth (another tab may have written it): every read compares what is
  // stored with what was last seen, and tells the listeners when it changed.
  const sync = (): OAuthToken | null => {
    const now = call('getItem', key) ?? null;
    if (now !== raw) {
      raw = now;
      try {
        const t = JSON.parse(now!);
        token = typeof t?.access_token === 'string' && typeof t.expires_in === 'number' ? Object.freeze(t) : null;
      } catch {
        token = null;
      }
      for (const wake of waiters.splice(0)) wake();
      for (const listener of [...listeners]) {
        try {
          listener(token);
        } catch (e) {
          setTimeout(() => {
            throw e; // reported like any uncaught error, without stopping the other listeners
          });
        }
      }
    }
    return token;
  };

  // Other tabs learn of a change from the `storage` event (localStorage: it arrives once their copy
  // of the storage holds the new value) or from a message on a BroadcastChannel (your own storage,
  // which fires no events). Neither carries the token: each tab reads its storage.
  let channel: BroadcastChannel | undefined;
  if (shared) {
    if (typeof BroadcastChannel === 'function') {
      channel = new BroadcastChannel(key);
      channel.onmessage = () => sync();
      (channel as { unref?: () => void }).unref?.(); // Node: an open channel must not keep the process alive
    }
    get(globalThis, 'addEventListener') && addEventListener('storage', () => sync());
  }
  const save = (t: OAuthToken | null) => {
    if (t) call('setItem', key, JSON.stringify(t));
    else call('removeItem', key);
    sync();
    channel?.postMessage(0);
  };

  const due = (t: OAuthToken) => t.expires_in - nowSeconds() <= margin;

  // Runs under the lock. The stored token is read again first: another tab may have refreshed it
  // while this one waited.
  const refresh = async (): Promise<string> => {
    const t = sync();
    if (!t) throw loginRequired();
    if (!due(t)) return t.access_token;
    const sent = t.refresh_token;
    let next: OAuthToken | undefined;
    let error: unknown;
    if (sent) {
      try {
        next = await app.refreshAccessToken(sent);
      } catch (e) {
        error = e;
      }
    }
    // The session may have changed while the request was out (a sign-out here or in another tab,
    // or another tab's sign-in): that state wins, and this answer is dropped.
    const now = sync();
    if (!now) throw loginRequired();
    if (now.refresh_token !== sent) return now.access_token;
    if (next) {
      save({ ...next, refresh_token: next.refresh_token ?? sent! }); // stored before anyone gets it
      return next.access_token;
    }
    if (!sent && t.expires_in > nowSeconds()) return t.access_token; // cannot refresh, still valid
    // Coze answering an OAuth error refuses this refresh token for good; anything else (network,
    // time limit, 5xx) may pass, and keeps the session for the next call.
    if (!sent || get(error, 'code') === 'oauth_error') {
      save(null);
      throw loginRequired(error);
    }
    throw error;
  };

  const locks = get(get(globalThis, 'navigator'), 'locks') as LockManager | undefined;
  // Web Locks and the storage are separate channels between tabs: a tab granted the lock just
  // released by another that refreshed may not hold that tab's write in its copy of localStorage
  // yet. So a tab that had to wait, and still sees what it saw before waiting, waits a moment for
  // the write to arrive (the `storage` event) before it concludes the other tab failed and sends
  // the refresh token itself.
  const webLock = (): Promise<string> =>
    locks!.request(key, { ifAvailable: true }, (lock) => {
      if (lock) return refresh();
      const before = raw;
      return locks!.request(key, async () => {
        if ((call('getItem', key) ?? null) === before) await new Promise((wake) => (waiters.push(wake as () => void), setTimeout(wake, LOCK_SETTLE_MS * 5)));
        return refresh();
      });
    }) as Promise<unknown> as Promise<string>;
  const storageLock = async (): Promise<string> => {
    const lockKey = key + ':lock';
    const me = Math.random() + ' ';
    const mine = () => call('getItem', lockKey)?.startsWith(me);
    for (;;) {
      if (!(Number(call('getItem', lockKey)?.split(' ')[1]) > Date.now())) {
        call('setItem', lockKey, me + (Date.now() + LOCK_TTL_MS));
        await sleep(LOCK_SETTLE_MS, undefined);
        if (mine()) break;
      } else await sleep(LOCK_POLL_MS, undefined);
    }
    try {
      return await refresh();
    } finally {
      if (mine()) call('removeItem', lockKey);
    }
  };
  let flight: Promise<string> | undefined;

  sync();
  return {
    get token() {
      return sync();
    },
    async handleCallback(url, opts) {
      const t = await app.handleCallback(url ?? (get(get(globalThis, 'location'), 'href') as string), opts);
      save(t);
      return t;
    },
    async getAccessToken(opts) {
      expectObject(opts, 'options', true);
      const signal: Signal | undefined = signalOf(opts);
      const t = sync();
      if (!t) throw loginRequired();
      if (!due(t)) return t.access_token;
      // One refresh for every caller of this page, under a lock for every tab sharing the storage.
      const pending = (flight ??= (shared ? (locks ? webLock() : storageLock()) : refresh()).finally(
        () => (flight = undefined),
      ));
      // The caller's signal ends its own wait only: the refresh goes on for the others.
      return new Promise<string>((resolve, reject) => {
        const stop = () => reject(aborted());
        if (signal?.aborted) stop();
        signal?.addEventListener('abort', stop, { once: true });
        pending.then(resolve, reject).finally(() => signal?.removeEventListener('abort', stop));
      });
    },
    signOut: () => save(null),
    onChange(listener) {
      if (typeof listener !== 'function') throw fail('onChange needs a function.');
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
