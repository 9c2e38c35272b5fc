import type { Redis } from '@upstash/redis/cloudflare';
import { listCacheKeys } from '../../shared/cache-keys.ts';
import { type ListChange, type ListCounts, changedBlocks, pageBlocks } from './list-change.ts';

export const LIST_TTL_SECONDS = 60;

/** What one lookup found: the stamp to store a fill under, and what is valid under it now. */
export interface CacheLookup {
  /** The generation and the versions of the page's blocks, as `<generation>.<version>…`. */
  stamp: string;
  /** The page's goods (a JSON array), if stored under this very stamp. */
  goods: string | null;
  /** The list's counts, if stored under this generation. */
  counts: ListCounts | null;
}

/** What the handlers need of the list cache. */
export type ListCacheStore = Pick<ListCache, 'pageKey' | 'lookup' | 'store' | 'invalidate'>;

// Stores counts `<generation>:<version>:<total>:<removed>` in KEYS[2] unless it holds counts of
// this generation at a version as new. `generation` is the current one.
const KEEP_NEWER_COUNTS = `
local function keepNewerCounts(generation, version, total, removed)
  local stored = redis.call('GET', KEYS[2])
  if stored then
    local g, v = string.match(stored, '^([^:]*):([^:]*):')
    if g == generation and tonumber(v) >= tonumber(version) then return end
  end
  redis.call('SET', KEYS[2], generation .. ':' .. version .. ':' .. total .. ':' .. removed)
end
`;

/** How long a write's record that it invalidated stays for the ingest worker's backstop to find. */
export const INVALIDATED_TTL_SECONDS = 600;

// KEYS: generation, counts, the blocks the write changed, then its messages' records.
// ARGV: version, total, removed, the number of blocks, the records' TTL.
const INVALIDATE = `${KEEP_NEWER_COUNTS}
local generation = redis.call('GET', KEYS[1]) or '0'
local blocksEnd = 2 + tonumber(ARGV[4])
for i = 3, blocksEnd do redis.call('INCR', KEYS[i]) end
keepNewerCounts(generation, ARGV[1], ARGV[2], ARGV[3])
for i = blocksEnd + 1, #KEYS do redis.call('SET', KEYS[i], '1', 'EX', ARGV[5]) end
return 1
`;

// KEYS: generation, counts, page, then the page's blocks. ARGV: stamp, goods, TTL, the stamp's
// generation, version, total, removed. The page is kept only if its stamp is still current, the
// counts only if the generation is.
const STORE = `${KEEP_NEWER_COUNTS}
local generation = redis.call('GET', KEYS[1]) or '0'
local current = generation
for i = 4, #KEYS do current = current .. '.' .. (redis.call('GET', KEYS[i]) or '0') end
if current == ARGV[1] then redis.call('SET', KEYS[3], ARGV[1] .. ':' .. ARGV[2], 'EX', ARGV[3]) end
if generation == ARGV[4] then keepNewerCounts(generation, ARGV[5], ARGV[6], ARGV[7]) end
return 1
`;

function parseCounts(stored: string | null, generation: string): ListCounts | null {
  const [g, version, total, removed] = stored?.split(':') ?? [];
  if (g !== generation || removed === undefined) return null;
  return { version: Number(version), total: Number(total), removed: Number(removed) };
}

/**
 * The list cache (README, "List cache"). A page's goods are stored apart from the counts, stamped
 * with the generation and the versions of the blocks of positions it covers, read before Postgres
 * was queried. A write bumps the versions of the blocks it changed and stores the counts it
 * committed, in one script, which also records that it ran for the ingest worker's backstop. A lookup reads the generation, the counts, the page and its blocks'
 * versions in one MGET, a single atomic command, and serves the page only if its stamp is current
 * and the counts are of the current generation.
 */
export class ListCache {
  private readonly keys: ReturnType<typeof listCacheKeys>;

  constructor(
    private readonly redis: Redis,
    namespace: string,
  ) {
    this.keys = listCacheKeys(namespace);
  }

  /** The page's key, which names it among every cache's pages. */
  pageKey(limit: number, offset: number): string {
    return this.keys.page(limit, offset);
  }

  async lookup(limit: number, offset: number): Promise<CacheLookup> {
    const blocks = pageBlocks(limit, offset).map((b) => this.keys.block(b));
    const [counter, counts, stored, ...versions] = await this.redis.mget<(string | null)[]>(
      this.keys.generation,
      this.keys.meta,
      this.keys.page(limit, offset),
      ...blocks,
    );
    const generation = String(counter ?? '0');
    const stamp = [generation, ...versions.map((v) => String(v ?? '0'))].join('.');
    const prefix = `${stamp}:`;
    return {
      stamp,
      goods: stored?.startsWith(prefix) ? stored.slice(prefix.length) : null,
      counts: parseCounts(counts ?? null, generation),
    };
  }

  async store(stamp: string, limit: number, offset: number, goods: string, counts: ListCounts): Promise<void> {
    const keys = [
      this.keys.generation,
      this.keys.meta,
      this.keys.page(limit, offset),
      ...pageBlocks(limit, offset).map((b) => this.keys.block(b)),
    ];
    const generation = stamp.split('.')[0]!;
    const args = [stamp, goods, LIST_TTL_SECONDS, generation, counts.version, counts.total, counts.removed];
    await this.redis.eval(STORE, keys, args.map(String));
  }

  /** After a write committed: bumps the blocks it changed, keeps its counts if newer, and records it did for `messageIds`. */
  async invalidate(change: ListChange, messageIds: readonly string[]): Promise<void> {
    const blocks = changedBlocks(change).map((b) => this.keys.block(b));
    const keys = [this.keys.generation, this.keys.meta, ...blocks, ...messageIds.map((id) => this.keys.invalidated(id))];
    const args = [change.version, change.total, change.removed, blocks.length, INVALIDATED_TTL_SECONDS];
    await this.redis.eval(INVALIDATE, keys, args.map(String));
  }
}
