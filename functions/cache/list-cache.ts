import type { Redis } from '@upstash/redis/cloudflare';
import { listCacheKeys } from '../../shared/cache-keys.ts';
import { pagesContaining } from './cacheable-page.ts';
import { type ListChange, type ListCounts, changedBlocks, pageBlocks } from './list-change.ts';

export const LIST_TTL_SECONDS = 60;

export interface CachedPage {
  goods: string;
  length: number;
}

/** What one lookup found: the stamp to store a fill under, and what is valid under it now. */
export interface CacheLookup {
  /** The generation and the versions of the page's blocks, as `<generation>.<version>…`. */
  stamp: string;
  /** The page's goods (a JSON array) and how many, if stored under this very stamp. */
  page: CachedPage | null;
  /** The list's counts, if stored under this generation. */
  counts: ListCounts | null;
}

/** What the handlers need of the list cache. */
export type ListCacheStore = Pick<ListCache, 'pageKey' | 'lookup' | 'store' | 'invalidate'>;

// The generation in KEYS[1]. Where Redis lost it (a restart without persistence, an eviction),
// a new one from the clock, so that no stamp read before the loss matches again.
// Then: stores counts `<generation>:<version>:<total>:<removed>` in KEYS[2] unless it holds counts
// of this generation at a version as new. `generation` is the current one.
const PRELUDE = `
local function currentGeneration()
  local generation = redis.call('GET', KEYS[1])
  if generation then return generation end
  local now = redis.call('TIME')
  generation = now[1] .. string.format('%06d', tonumber(now[2]))
  redis.call('SET', KEYS[1], generation)
  return generation
end
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
/** How long the rev of a good's last write stays: longer than a write's retries of its invalidation. */
export const REV_TTL_SECONDS = 120;

// After a write. KEYS: generation, counts, [the good's rev], the blocks it changed, its messages'
// records, then for each page to change in place: the page and the blocks it covers.
// ARGV: version, total, removed, how many blocks, how many records, the records' TTL, the rev
// ('' when no good is changed in place), the good's old and new JSON, the rev's TTL, then each
// page's number of blocks.
// A page changes in place only if its stamp is current and it shows the good's old state: it
// then shows every write whose script ran, and this one too once changed. It is stamped again
// after the bump, so a fill that read before this write can no longer replace it. A write older
// than the last one of its good that ran here (in this generation) changes no page in place, as
// the good may have come back to its old state since: its bump drops them.
const INVALIDATE = `${PRELUDE}
local generation = currentGeneration()
local changesGood = ARGV[7] ~= ''
local k = changesGood and 4 or 3
local bumpTo = k + tonumber(ARGV[4]) - 1
local recordsTo = bumpTo + tonumber(ARGV[5])
local late = false
if changesGood then
  local seen = redis.call('GET', KEYS[3])
  local g, rev = string.match(seen or '', '^([^:]*):(.*)$')
  if g == generation and tonumber(rev) >= tonumber(ARGV[7]) then late = true
  else redis.call('SET', KEYS[3], generation .. ':' .. ARGV[7], 'EX', ARGV[10]) end
end
local function stampOf(from, to)
  local stamp = generation
  for i = from, to do stamp = stamp .. '.' .. (redis.call('GET', KEYS[i]) or '0') end
  return stamp
end
local changed = {}
if changesGood and not late then
  local i, a = recordsTo + 1, 11
  while i <= #KEYS do
    local n = tonumber(ARGV[a])
    local stored = redis.call('GET', KEYS[i])
    if stored then
      local prefix = stampOf(i + 1, i + n) .. ':'
      if string.sub(stored, 1, #prefix) == prefix then
        local s, e = string.find(stored, ARGV[8], #prefix + 1, true)
        if s then changed[#changed + 1] = { i, n, string.sub(stored, #prefix + 1, s - 1) .. ARGV[9] .. string.sub(stored, e + 1) } end
      end
    end
    i, a = i + 1 + n, a + 1
  end
end
for i = k, bumpTo do redis.call('INCR', KEYS[i]) end
for _, page in ipairs(changed) do
  redis.call('SET', KEYS[page[1]], stampOf(page[1] + 1, page[1] + page[2]) .. ':' .. page[3], 'KEEPTTL')
end
keepNewerCounts(generation, ARGV[1], ARGV[2], ARGV[3])
for i = bumpTo + 1, recordsTo do redis.call('SET', KEYS[i], '1', 'EX', ARGV[6]) end
return #changed
`;

// KEYS: generation, counts, page, then the page's blocks. ARGV: stamp, `<length>:<goods>`, TTL, the stamp's
// generation, version, total, removed. The page is kept only if its stamp is still current, the
// counts only if the generation is.
const STORE = `${PRELUDE}
local generation = currentGeneration()
local current = generation
for i = 4, #KEYS do current = current .. '.' .. (redis.call('GET', KEYS[i]) or '0') end
if current == ARGV[1] then redis.call('SET', KEYS[3], ARGV[1] .. ':' .. ARGV[2], 'EX', ARGV[3]) end
if generation == ARGV[4] then keepNewerCounts(generation, ARGV[5], ARGV[6], ARGV[7]) end
return 1
`;

/** `<id>:<projectId>` of a good's state as goods_json gives it. */
function goodKey(state: unknown): string {
  const { id, projectId } = state as { id: number; projectId: number };
  return `${id}:${projectId}`;
}

/** A stored page after its stamp: `<length>:<goods>`. */
function parsePage(stored: string): CachedPage {
  const colon = stored.indexOf(':');
  return { length: Number(stored.slice(0, colon)), goods: stored.slice(colon + 1) };
}

function parseCounts(stored: string | null, generation: string): ListCounts | null {
  const [g, version, total, removed] = stored?.split(':') ?? [];
  if (g !== generation || removed === undefined) return null;
  return { version: Number(version), total: Number(total), removed: Number(removed) };
}

/**
 * The list cache (README, "List cache"). A page's goods are stored apart from the counts, stamped
 * with the generation and the versions of the blocks of positions it covers, read before Postgres
 * was queried. A write bumps the versions of the blocks it changed (or changes its good in place)
 * and stores the counts it committed, in one script, which also records that it ran for the
 * ingest worker's backstop. A lookup reads the generation, the counts, the page and its blocks'
 * versions in one MGET, a single atomic command: the page is valid only if its stamp is current,
 * the counts only if they are of the current generation.
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
    const blocks = this.blockKeys(limit, offset);
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
      page: stored?.startsWith(prefix) ? parsePage(stored.slice(prefix.length)) : null,
      counts: parseCounts(counts ?? null, generation),
    };
  }

  async store(stamp: string, limit: number, offset: number, page: CachedPage, counts: ListCounts): Promise<void> {
    const keys = [this.keys.generation, this.keys.meta, this.keys.page(limit, offset), ...this.blockKeys(limit, offset)];
    const generation = stamp.split('.')[0]!;
    const args = [stamp, `${page.length}:${page.goods}`, LIST_TTL_SECONDS, generation, counts.version, counts.total, counts.removed];
    await this.redis.eval(STORE, keys, args.map(String));
  }

  /**
   * After a write committed: bumps the blocks it changed (changing its good in place in the pages
   * that show it), keeps its counts if newer, and records it did for `messageIds`.
   */
  async invalidate(change: ListChange, messageIds: readonly string[]): Promise<void> {
    const blocks = changedBlocks(change).map((b) => this.keys.block(b));
    const good = change.good && change.first !== null ? { ...change.good, position: change.first } : null;
    const pages = good
      ? pagesContaining(good.position).map(([limit, offset]) => [this.keys.page(limit, offset), ...this.blockKeys(limit, offset)])
      : [];
    const keys = [
      this.keys.generation,
      this.keys.meta,
      ...(good ? [this.keys.rev(goodKey(good.new))] : []),
      ...blocks,
      ...messageIds.map((id) => this.keys.invalidated(id)),
      ...pages.flat(),
    ];
    const args = [
      change.version,
      change.total,
      change.removed,
      blocks.length,
      messageIds.length,
      INVALIDATED_TTL_SECONDS,
      good?.rev ?? '',
      good ? JSON.stringify(good.old) : '',
      good ? JSON.stringify(good.new) : '',
      REV_TTL_SECONDS,
      ...pages.map((page) => page.length - 1),
    ];
    await this.redis.eval(INVALIDATE, keys, args.map(String));
  }

  private blockKeys(limit: number, offset: number): string[] {
    return pageBlocks(limit, offset).map((b) => this.keys.block(b));
  }
}
