import type { Redis } from '@upstash/redis/cloudflare';

export const LIST_TTL_SECONDS = 60;

/** A cached page together with the generation it was looked up under. */
export interface CacheLookup {
  generation: string;
  page: string | null;
}

// The generation counter and the page are read in one atomic step, so a page stored under an
// older generation can never be served after a write has bumped the counter.
const LOOKUP_SCRIPT = `
local generation = redis.call('GET', KEYS[1]) or '0'
return {generation, redis.call('GET', ARGV[1] .. generation .. ARGV[2])}`;

/**
 * The list cache: pages live under `<ns>:list:<generation>:<limit>:<offset>` for 60 s, and a
 * write invalidates all of them at once by incrementing `<ns>:list:generation` (no SCAN/KEYS).
 */
export class ListCache {
  private readonly generationKey: string;
  private readonly pagePrefix: string;

  constructor(
    private readonly redis: Redis,
    namespace: string,
  ) {
    this.generationKey = `${namespace}:list:generation`;
    this.pagePrefix = `${namespace}:list:`;
  }

  async lookup(limit: number, offset: number): Promise<CacheLookup> {
    const [generation, page] = (await this.redis.eval(LOOKUP_SCRIPT, [this.generationKey], [this.pagePrefix, this.pageSuffix(limit, offset)])) as [
      string,
      string | null,
    ];
    return { generation: String(generation), page: page ?? null };
  }

  async store(generation: string, limit: number, offset: number, page: string): Promise<void> {
    await this.redis.set(this.pagePrefix + generation + this.pageSuffix(limit, offset), page, { ex: LIST_TTL_SECONDS });
  }

  async invalidate(): Promise<void> {
    await this.redis.incr(this.generationKey);
  }

  private pageSuffix(limit: number, offset: number): string {
    return `:${limit}:${offset}`;
  }
}
