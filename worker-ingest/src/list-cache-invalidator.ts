import { Redis } from '@upstash/redis';
import { listCacheKeys } from '../../shared/cache-keys.ts';
import { upstashConfig } from '../../shared/upstash.ts';
import type { Log } from '../../shared/log.ts';
import { startTicker, type Ticker } from './ticker.ts';

export interface ListCacheInvalidator extends Ticker {
  /** These messages' events were stored: the pages their writes changed must be gone. */
  stored(messageIds: readonly string[]): void;
}

/** What the backstop needs of the API's list cache. */
export interface ListCacheBackstop {
  /** Whether any of these messages' writes has no record of its invalidation. */
  anyUninvalidated(messageIds: readonly string[]): Promise<boolean>;
  /** Bumps the generation: every cached page and the cached counts go. */
  bumpGeneration(): Promise<unknown>;
}

/**
 * The backstop for the API's list cache. A write invalidates what it changed itself, and its
 * script records that it did, per audit message, for ten minutes. When Redis was unreachable at
 * that moment the write's retries give up after 25 s, and pages cached before the outage would
 * come back with Redis. Every stored message passes through here: after storing a batch, the
 * worker looks for those records and bumps the generation when one is missing, retrying each tick
 * until Redis answers. It starts out stale: a restart may come after such writes.
 */
export function startListCacheInvalidator(cache: ListCacheBackstop, everyMs: number, log: Log): ListCacheInvalidator {
  let stale = true;
  let pending = new Set<string>();
  const ticker = startTicker(
    'list_cache_invalidation',
    everyMs,
    async () => {
      const ids = [...pending];
      pending = new Set();
      try {
        if (!stale && ids.length > 0) stale = await cache.anyUninvalidated(ids);
        if (stale) await cache.bumpGeneration();
        stale = false;
      } catch (error) {
        for (const id of ids) pending.add(id);
        throw error;
      }
    },
    log,
  );
  return {
    stored: (messageIds) => {
      for (const id of messageIds) pending.add(id);
    },
    stop: () => ticker.stop(),
  };
}

/** Keys looked for per EXISTS. */
const EXISTS_CHUNK = 500;

/** The backstop on the API's Redis, through its REST API. */
export function redisListCacheBackstop(cache: { url: string; token: string; namespace: string }): ListCacheBackstop {
  const redis = new Redis(upstashConfig(cache.url, cache.token));
  const keys = listCacheKeys(cache.namespace);
  return {
    anyUninvalidated: async (messageIds) => {
      for (let i = 0; i < messageIds.length; i += EXISTS_CHUNK) {
        const chunk = messageIds.slice(i, i + EXISTS_CHUNK).map((id) => keys.invalidated(id));
        if ((await redis.exists(...chunk)) < chunk.length) return true;
      }
      return false;
    },
    bumpGeneration: () => redis.incr(keys.generation),
  };
}
