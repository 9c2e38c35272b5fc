import { sleep } from '../utils/time.ts';
import type { ListCache } from './list-cache.ts';

const RETRY_EVERY_MS = 200;
const RETRY_FOR_MS = 25_000;

function logFailure(error: unknown, attempt: number): void {
  console.error(JSON.stringify({ msg: 'list cache invalidation failed', attempt, error: String(error) }));
}

/**
 * Invalidates the cached list before a write answers. If Redis cannot be reached the write still
 * succeeds, and the invalidation is retried in the background (`defer`) every 200 ms for 25 s,
 * so pages cached before a short outage are dropped at most ~200 ms after Redis is back. Longer
 * outages are covered by the ingest worker, which invalidates after every batch it stores.
 */
export async function invalidateListCache(cache: ListCache, defer: (work: Promise<unknown>) => void): Promise<void> {
  try {
    await cache.invalidate();
  } catch (error) {
    logFailure(error, 0);
    defer(retryInvalidation(cache));
  }
}

async function retryInvalidation(cache: ListCache): Promise<void> {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let attempt = 1; Date.now() < deadline; attempt++) {
    await sleep(RETRY_EVERY_MS);
    try {
      await cache.invalidate();
      return;
    } catch (error) {
      if (attempt % 10 === 0) logFailure(error, attempt);
    }
  }
}
