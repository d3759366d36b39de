// Where OAuthJWTFlow keeps its tokens beyond its own in-process copy: the TokenStore interface,
// the in-memory store (the default: one per flow, today's cache), and the text of a stored entry
// with the checks a read entry passes before it is used. A store is a plug-in (Redis for fleets,
// see redis.ts); the flow, not the store, decides what is fresh and what is corrupt, so a store
// needs no knowledge of tokens.

/** What {@link TokenStore.get} answers: the text last written and how long it has left. */
export interface StoredEntry {
  /** The text given to {@link TokenStore.set}, unchanged. */
  value: string;
  /**
   * Milliseconds until the entry expires, measured by the store (Redis's own `PTTL`), so that
   * processes whose clocks disagree still agree on it.
   */
  ttlMs: number;
}

/** A held mint lock: see {@link TokenStore.lock}. */
export interface TokenStoreLock {
  /** Gives the lock back, if this holder still has it (never deletes a lock another took after it expired). */
  release(): Promise<void>;
}

/**
 * Where {@link OAuthJWTFlow} shares tokens: between the flows of one process
 * ({@link memoryTokenStore}) or between processes (`redisTokenStore` of `coze-auth/redis`).
 *
 * A store holds **bearer tokens** (never the private key or a JWT assertion): whoever reads it
 * can call Coze as the app until the tokens expire. Keep it private.
 *
 * The flow keeps its own in-process copy in front of the store, bounds every call with a short
 * timeout, and treats a failing or slow store as absent (it mints by itself, as without a store):
 * a store may throw or hang; it cannot break authentication. Keys are short ASCII strings made by
 * the flow (`jwt:<app id>:<hash of the grant parameters>`); values are JSON text that the flow
 * checks when read (a corrupt entry is ignored and replaced).
 */
export interface TokenStore {
  /** The entry under `key`, or `undefined` when there is none or it has expired. */
  get(key: string): Promise<StoredEntry | undefined>;
  /** Writes `value` under `key`, replacing any entry; the store forgets it after `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Takes the mint lock of `key` if nobody holds it, for at most `ttlMs` milliseconds (the flow
   * asks for its request timeout plus a margin: a holder that dies loses the lock by itself).
   * Resolves to the held lock, or `undefined` when another holder has it (the flow then waits
   * for that holder's token, reading the entry with a short back-off, and takes over once the
   * lock expires).
   */
  lock(key: string, ttlMs: number): Promise<TokenStoreLock | undefined>;
}

/** Entries (and locks) one memory store keeps; the oldest goes first. */
const MAX_MEMORY_ENTRIES = 256;

/** Keeps `map` within MAX_MEMORY_ENTRIES after an insert: drops what expired, then the oldest. */
function bound<V extends { expiresAt: number }>(map: Map<string, V>): void {
  if (map.size <= MAX_MEMORY_ENTRIES) return;
  const now = Date.now();
  for (const [k, v] of map) if (v.expiresAt <= now) map.delete(k);
  while (map.size > MAX_MEMORY_ENTRIES) map.delete(map.keys().next().value!);
}

/** The in-process store: a Map per store, entries and locks expiring on the local clock. */
class MemoryTokenStore implements TokenStore {
  #entries = new Map<string, { value: string; expiresAt: number }>();
  #locks = new Map<string, { holder: object; expiresAt: number }>();

  async get(key: string): Promise<StoredEntry | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const ttlMs = entry.expiresAt - Date.now();
    if (ttlMs > 0) return { value: entry.value, ttlMs };
    this.#entries.delete(key);
    return undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#entries.delete(key); // re-inserted last: the Map's order is the eviction order
    this.#entries.set(key, { value, expiresAt: Date.now() + ttlMs });
    bound(this.#entries);
  }

  async lock(key: string, ttlMs: number): Promise<TokenStoreLock | undefined> {
    const held = this.#locks.get(key);
    if (held && held.expiresAt > Date.now()) return undefined;
    const holder = {};
    this.#locks.delete(key);
    this.#locks.set(key, { holder, expiresAt: Date.now() + ttlMs });
    bound(this.#locks);
    return {
      release: async () => {
        if (this.#locks.get(key)?.holder === holder) this.#locks.delete(key);
      },
    };
  }
}

/**
 * A {@link TokenStore} in this process's memory. Each {@link OAuthJWTFlow} has one of its own
 * unless given another; pass one store to several flows (of the same app) to share their tokens
 * and mints within a process.
 */
export function memoryTokenStore(): TokenStore {
  return new MemoryTokenStore();
}

/** A token as the JWT grant answers it (the fields of jwt.ts's JwtToken). */
export interface EntryToken {
  access_token: string;
  expires_in: number;
  token_type?: string;
}

/** The format of stored entries; a reader ignores other versions (and so replaces them). */
const ENTRY_VERSION = 1;
/** The longest token the flow accepts from a store: far above Coze's (about 100 characters). */
const MAX_TOKEN_LENGTH = 4096;
/** The longest lifetime an entry may claim: Coze's maximum grant (86399 s) and a minute. */
const MAX_ENTRY_TTL_MS = (86399 + 60) * 1000;
/** Visible ASCII only: a token goes into an `Authorization` header as it is. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** The stored text of a token: its fields as Coze gave them, nothing else (no key, no JWT). */
export function encodeEntry(token: EntryToken): string {
  return JSON.stringify({ v: ENTRY_VERSION, access_token: token.access_token, expires_in: token.expires_in, token_type: token.token_type });
}

/**
 * The token in a stored entry, or `undefined` when the entry is not one this flow would have
 * written: checked like Coze's answer (a non-empty header-safe token, a whole positive
 * `expires_in`, a string `token_type` if any) and its lifetime within a grant's.
 */
export function decodeEntry(entry: StoredEntry): EntryToken | undefined {
  if (!(Number.isFinite(entry.ttlMs) && entry.ttlMs > 0 && entry.ttlMs <= MAX_ENTRY_TTL_MS)) return undefined;
  if (typeof entry.value !== 'string' || entry.value.length > MAX_TOKEN_LENGTH * 2) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, access_token, expires_in, token_type } = parsed as Record<string, unknown>;
  if (v !== ENTRY_VERSION) return undefined;
  if (typeof access_token !== 'string' || access_token.length > MAX_TOKEN_LENGTH || !HEADER_SAFE.test(access_token)) return undefined;
  if (typeof expires_in !== 'number' || !Number.isSafeInteger(expires_in) || expires_in <= 0) return undefined;
  if (token_type !== undefined && (typeof token_type !== 'string' || token_type.length > 64)) return undefined;
  return token_type === undefined ? { access_token, expires_in } : { access_token, expires_in, token_type };
}
