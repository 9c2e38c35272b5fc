import type { Log } from '../../shared/log.ts';
import { sleep } from '../utils/time.ts';
import type { ListCacheStore } from './list-cache.ts';
import type { ListChange } from './list-change.ts';

const RETRY_EVERY_MS = 200;
const RETRY_FOR_MS = 25_000;

function logFailure(log: Log, error: unknown, attempt: number): void {
  log('list cache invalidation failed', { attempt, error: String(error) });
}

/**
 * Invalidates what a write changed in the cached list (the blocks of positions it touched, and the
 * counts) before the write answers. If Redis cannot be reached the write still
 * succeeds, and the invalidation is retried in the background (`defer`) every 200 ms for 25 s,
 * so pages cached before a short outage are dropped at most ~200 ms after Redis is back. Longer
 * outages are covered by the ingest worker: once it has stored a write's events, it bumps the
 * generation if the write's invalidation left no record (list-cache-invalidator.ts).
 */
export async function invalidateListCache(
  cache: ListCacheStore,
  change: ListChange,
  messageIds: readonly string[],
  defer: (work: Promise<unknown>) => void,
  log: Log,
): Promise<void> {
  try {
    await cache.invalidate(change, messageIds);
  } catch (error) {
    logFailure(log, error, 0);
    defer(retryInvalidation(cache, change, messageIds, log));
  }
}

async function retryInvalidation(cache: ListCacheStore, change: ListChange, messageIds: readonly string[], log: Log): Promise<void> {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let attempt = 1; Date.now() < deadline; attempt++) {
    await sleep(RETRY_EVERY_MS);
    try {
      await cache.invalidate(change, messageIds);
      return;
    } catch (error) {
      if (attempt % 10 === 0) logFailure(log, error, attempt);
    }
  }
}
