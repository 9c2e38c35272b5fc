import type { Context } from 'hono';
import { isCacheablePage } from '../cache/cacheable-page.ts';
import type { CachedPage, CacheLookup } from '../cache/list-cache.ts';
import type { ListCounts } from '../cache/list-change.ts';
import type { AppEnv } from '../env.ts';
import { listGoods, listVersionedPage } from '../goods/list-goods.ts';
import { GoodsPageSchema } from '../goods/types.ts';
import { defineRoute } from '../http/define-route.ts';
import { listQuery } from '../http/schemas.ts';
import { singleFlight } from '../utils/single-flight.ts';

/** A page read from Postgres: its goods as JSON, how many, and its counts. */
interface Filled extends CachedPage {
  counts: ListCounts;
}

// Concurrent misses of one page in this isolate share one read, but only among lookups that found
// the same stamp: a read started before a write's bump is never handed to a request after it.
const fills = singleFlight<Filled>(1_000);

/** workerd's error for I/O awaited from another request's context. */
const CROSS_REQUEST_IO = 'Cannot perform I/O on behalf of a different request';

function pageResponse(body: string, cache: 'hit' | 'miss' | 'bypass'): Response {
  return new Response(body, { headers: { 'content-type': 'application/json; charset=utf-8', 'x-cache': cache } });
}

/** The page as JSON.stringify(GoodsPage) writes it, from its parts. */
function pageBody(counts: ListCounts, limit: number, offset: number, goods: string): string {
  return `{"meta":${JSON.stringify({ total: counts.total, removed: counts.removed, limit, offset })},"goods":${goods}}`;
}

/**
 * Whether counts fit a page's goods: the goods of one state and counts of a later one would show
 * a page torn between two states, its length not that of its total. That happens only while the
 * create that makes them differ has not run its script (which drops the page), so it is not yet
 * answered: the page is then read again.
 */
function fits(counts: ListCounts, page: CachedPage, limit: number, offset: number): boolean {
  return page.length === Math.min(limit, Math.max(0, counts.total - offset + 1));
}

/** Reads the page from Postgres, and stores it under the stamp its lookup read before the query. */
async function fill(c: Context<AppEnv>, lookup: CacheLookup, limit: number, offset: number): Promise<Filled> {
  const cache = c.var.listCache;
  const read = await c.var.db((db) => listVersionedPage(db, { limit, offset }));
  const page = { goods: JSON.stringify(read.page.goods), length: read.page.goods.length };
  const counts = { version: read.version, total: read.page.meta.total, removed: read.page.meta.removed };
  const stamp = lookup.stamp;
  c.var.defer(
    cache
      .store(stamp, limit, offset, page, counts)
      .catch((error: unknown) => c.var.log('list cache store failed', { error: String(error) })),
  );
  return { ...page, counts };
}

/**
 * Redis first; on a miss Postgres, and the page is stored under the stamp read before it. A read
 * shared with an earlier lookup may have older counts than this lookup found: the newer ones are
 * served if they fit its goods, else the page is read again, after this lookup. A page the cache
 * does not keep (see isCacheablePage) goes straight to Postgres.
 */
async function listPage(c: Context<AppEnv>, limit: number, offset: number): Promise<Response> {
  let lookup: CacheLookup | null = null;
  if (isCacheablePage(limit, offset)) {
    try {
      lookup = await c.var.listCache.lookup(limit, offset);
    } catch (error) {
      c.var.log('list cache unavailable; reading Postgres', { error: String(error) });
    }
  }
  if (!lookup) return pageResponse(JSON.stringify(await c.var.db((db) => listGoods(db, { limit, offset }))), 'bypass');
  const { page, counts } = lookup;
  if (page && counts && fits(counts, page, limit, offset)) return pageResponse(pageBody(counts, limit, offset, page.goods), 'hit');

  const found = lookup;
  let ours = false;
  const shared = fills(
    c.var.listCache.pageKey(limit, offset),
    () => {
      ours = true;
      return fill(c, found, limit, offset);
    },
    found.stamp,
  );
  // A read this request joined belongs to another request: workerd fails it here if that request
  // ended first, its I/O with it. Only then does this request read the page itself: any other
  // failure (Postgres down, the deadline) is its answer too, and a second read would outlast it.
  let filled = await (ours
    ? shared
    : shared.catch((error: unknown) => {
        if (!String(error).includes(CROSS_REQUEST_IO)) throw error;
        c.var.log('shared list read failed; reading alone', { error: String(error) });
        return fill(c, found, limit, offset);
      }));
  if (counts && counts.version > filled.counts.version) {
    if (fits(counts, filled, limit, offset)) filled = { ...filled, counts };
    else filled = await fill(c, found, limit, offset);
  }
  return pageResponse(pageBody(filled.counts, limit, offset, filled.goods), 'miss');
}

export const listGoodsRoute = defineRoute({
  method: 'GET',
  paths: ['/goods/list'],
  write: false,
  operationId: 'listGoods',
  summary: 'A page of goods by priority, removed ones included; the first 100 pages of sizes 1–10, 20, 50 and 100 are cached for 60 s',
  query: listQuery,
  response: GoodsPageSchema,
  errors: [400],
  handle: (c, { query }) => listPage(c, query.limit, query.offset),
});
