import { Redis } from '@upstash/redis';
import { listCacheKeys } from '../../shared/cache-keys.ts';
import { upstashConfig } from '../../shared/upstash.ts';
import type { Log } from '../../shared/log.ts';
import { startTicker, type Ticker } from './ticker.ts';

export interface ListCacheInvalidator extends Ticker {
  /** Events were stored: the API's cached list pages must go. */
  markStale(): void;
}

/**
 * The backstop for the API's list cache. A write invalidates the cache itself, but when Redis
 * was unreachable at that moment its retries give up after 25 s, and pages cached before the
 * outage would come back with Redis. Every stored event passes through here, so after storing a
 * batch the worker bumps the same generation key, retrying each tick until Redis answers. It
 * starts out stale too: a restart may come after such writes.
 */
export function startListCacheInvalidator(invalidate: () => Promise<unknown>, everyMs: number, log: Log): ListCacheInvalidator {
  let stale = true;
  const ticker = startTicker(
    'list_cache_invalidation',
    everyMs,
    async () => {
      if (!stale) return;
      stale = false;
      try {
        await invalidate();
      } catch (error) {
        stale = true;
        throw error;
      }
    },
    log,
  );
  return { markStale: () => (stale = true), stop: () => ticker.stop() };
}

/** INCR of the API's list cache generation. */
export function redisGenerationBump(cache: { url: string; token: string; namespace: string }): () => Promise<unknown> {
  const redis = new Redis(upstashConfig(cache.url, cache.token));
  return () => redis.incr(listCacheKeys(cache.namespace).generation);
}
