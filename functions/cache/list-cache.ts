import type { Redis } from '@upstash/redis/cloudflare';
import { listCacheKeys } from '../../shared/cache-keys.ts';

export const LIST_TTL_SECONDS = 60;

/** A cached page (if one is valid now) together with the generation it was looked up under. */
export interface CacheLookup {
  generation: string;
  page: string | null;
}

/** What the handlers need of the list cache. */
export type ListCacheStore = Pick<ListCache, 'lookup' | 'store' | 'invalidate'>;

/**
 * The list cache. A page is stored for 60 s as `<generation>:<json>`, stamped with the generation
 * read before Postgres was queried; a write invalidates every page at once by incrementing the
 * generation (no SCAN/KEYS). A lookup reads the counter and the page in one MGET, a single atomic
 * command, and serves the page only if its stamp is the current generation: a page computed
 * before a write can never be served after that write has bumped the counter.
 */
export class ListCache {
  private readonly keys: ReturnType<typeof listCacheKeys>;

  constructor(
    private readonly redis: Redis,
    namespace: string,
  ) {
    this.keys = listCacheKeys(namespace);
  }

  async lookup(limit: number, offset: number): Promise<CacheLookup> {
    const [counter, stored] = await this.redis.mget<[string | null, string | null]>(this.keys.generation, this.keys.page(limit, offset));
    const generation = String(counter ?? '0');
    const stamp = `${generation}:`;
    return { generation, page: stored?.startsWith(stamp) ? stored.slice(stamp.length) : null };
  }

  async store(generation: string, limit: number, offset: number, page: string): Promise<void> {
    await this.redis.set(this.keys.page(limit, offset), `${generation}:${page}`, { ex: LIST_TTL_SECONDS });
  }

  async invalidate(): Promise<void> {
    await this.redis.incr(this.keys.generation);
  }
}
