// `coze-auth/redis`: a TokenStore over Redis, so a fleet of processes shares one token per grant
// and one mint at a time (Node only; the browser build's redis.js is redis-browser.ts). It talks
// to a connected node-redis client through `sendCommand` alone: the raw commands read the same
// in node-redis 4, 5 and 6, and the package needs no types of `redis` (an optional peer
// dependency) to describe the client.

import { CozeAuthError } from './error.js';
import type { StoredEntry, TokenStore, TokenStoreLock } from './token-store.js';

/**
 * What this store needs of a Redis client: node-redis's `sendCommand` (`createClient()` of the
 * `redis` package, connected). Commands sent: `GET`, `PTTL`, `SET … PX`, `SET … NX PX` and one
 * `EVAL` (the lock's release), so an ACL user needs `+get +pttl +set +eval` on `prefix*` keys.
 */
export interface RedisClientLike {
  /** Sends one command, its name and arguments as strings, and resolves to Redis's reply. */
  sendCommand(args: string[]): Promise<unknown>;
}

/** Options of {@link redisTokenStore}. */
export interface RedisTokenStoreOptions {
  /**
   * Put before every key this store writes (`<prefix>jwt:<hash>` and `<prefix>jwt:<hash>:lock`).
   * Default `coze-auth:`. Give each app or environment sharing one Redis its own, and match it in
   * the ACL user's key pattern (`~coze-auth:*`).
   */
  prefix?: string;
}

const fail = (message: string) => new CozeAuthError(message, { code: 'invalid_argument' });

/**
 * Deletes the lock only if it still holds this holder's value: a holder whose lock expired (and
 * was taken by another) must not delete the new holder's lock. Atomic as a script.
 */
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/** A reply as text: node-redis answers strings, or Buffers when a client maps types so. */
function text(reply: unknown): string | undefined {
  if (typeof reply === 'string') return reply;
  if (reply instanceof Uint8Array) return Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength).toString('utf8');
  return undefined;
}

/** Whole milliseconds, at least 1 (Redis refuses `PX 0`). */
const px = (ms: number) => String(Math.max(1, Math.floor(ms)));

/**
 * A {@link TokenStore} in Redis, for `OAuthJWTFlow`'s `tokenStore` option: every process given
 * one over the same Redis (and prefix) shares tokens, and one of them mints while the others wait.
 *
 * ```ts
 * import { createClient } from 'redis'
 * import { OAuthJWTFlow } from 'coze-auth'
 * import { redisTokenStore } from 'coze-auth/redis'
 * const redis = await createClient({ url: process.env.REDIS_URL }).on('error', () => {}).connect()
 * const flow = new OAuthJWTFlow({ tokenStore: redisTokenStore(redis) })
 * ```
 *
 * Entries hold **bearer tokens**: use a Redis that only these services reach, a `rediss://` URL
 * (TLS) across hosts, an ACL user limited to the prefix, and a prefix of their own.
 *
 * The entry's lifetime is Redis's own `PX`/`PTTL`, so hosts whose clocks disagree agree on it.
 * The mint lock is one key set only if absent (`SET NX PX`), expiring after the flow's request
 * timeout plus a margin; only its holder deletes it. A failing Redis makes the flow mint by itself.
 *
 * @throws {CozeAuthError} `invalid_argument`: `client` has no `sendCommand`, or `prefix` is not a string.
 */
export function redisTokenStore(client: RedisClientLike, options?: RedisTokenStoreOptions): TokenStore {
  if (typeof (client as Partial<RedisClientLike> | null | undefined)?.sendCommand !== 'function') {
    throw fail('redisTokenStore needs a node-redis client (createClient() of the redis package), connected: it calls client.sendCommand.');
  }
  const prefix = options?.prefix ?? 'coze-auth:';
  if (typeof prefix !== 'string') throw fail('prefix must be a string.');
  const send = (args: string[]) => client.sendCommand(args);
  return {
    async get(key: string): Promise<StoredEntry | undefined> {
      const k = prefix + key;
      // Sent together (node-redis pipelines them); an entry expiring between the two reads as
      // PTTL -2, which the flow refuses like any entry without a lifetime.
      const [value, ttl] = await Promise.all([send(['GET', k]), send(['PTTL', k])]);
      const v = text(value);
      if (v === undefined) return undefined;
      return { value: v, ttlMs: typeof ttl === 'number' ? ttl : Number(text(ttl) ?? NaN) };
    },
    async set(key: string, value: string, ttlMs: number): Promise<void> {
      await send(['SET', prefix + key, value, 'PX', px(ttlMs)]);
    },
    async lock(key: string, ttlMs: number): Promise<TokenStoreLock | undefined> {
      const k = `${prefix}${key}:lock`;
      const holder = crypto.randomUUID(); // what tells this holder's lock from a later one
      const reply = await send(['SET', k, holder, 'NX', 'PX', px(ttlMs)]);
      if (text(reply) !== 'OK') return undefined;
      return {
        release: async () => {
          await send(['EVAL', RELEASE, '1', k, holder]);
        },
      };
    },
  };
}
