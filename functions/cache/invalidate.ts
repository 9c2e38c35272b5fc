import type { ListCache } from './list-cache.ts';

const RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 8_000];

function logFailure(error: unknown, attempt: number): void {
  console.error(JSON.stringify({ msg: 'list cache invalidation failed', attempt, error: String(error) }));
}

/**
 * Invalidates the cached list before a write answers. If Redis cannot be reached, the write
 * still succeeds and the invalidation is retried in the background (`defer`) for about 24 s,
 * so pages cached before a short outage do not come back when Redis does.
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
  for (const [index, delay] of RETRY_DELAYS_MS.entries()) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      await cache.invalidate();
      return;
    } catch (error) {
      logFailure(error, index + 1);
    }
  }
}
