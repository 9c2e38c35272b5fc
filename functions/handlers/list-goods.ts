import type { Context } from 'hono';
import { isCacheablePage } from '../cache/cacheable-page.ts';
import type { CacheLookup } from '../cache/list-cache.ts';
import type { AppEnv } from '../env.ts';
import { listGoods } from '../goods/list-goods.ts';
import { GoodsPageSchema } from '../goods/types.ts';
import { defineRoute } from '../http/define-route.ts';
import { listQuery } from '../http/schemas.ts';

function pageResponse(body: string, cache: 'hit' | 'miss' | 'bypass'): Response {
  return new Response(body, { headers: { 'content-type': 'application/json; charset=utf-8', 'x-cache': cache } });
}

/**
 * Redis first; on a miss Postgres, and the page is stored under the generation read before it.
 * A page the cache does not keep (see isCacheablePage) goes straight to Postgres.
 */
async function listPage(c: Context<AppEnv>, limit: number, offset: number): Promise<Response> {
  const cache = c.var.listCache;
  let lookup: CacheLookup | null = null;
  if (isCacheablePage(limit, offset)) {
    try {
      lookup = await cache.lookup(limit, offset);
    } catch (error) {
      c.var.log('list cache unavailable; reading Postgres', { error: String(error) });
    }
  }
  if (lookup?.page) return pageResponse(lookup.page, 'hit');

  const page = await c.var.db((db) => listGoods(db, { limit, offset }));
  const body = JSON.stringify(page);
  if (lookup) {
    const generation = lookup.generation;
    c.var.defer(
      cache
        .store(generation, limit, offset, body)
        .catch((error: unknown) => c.var.log('list cache store failed', { error: String(error) })),
    );
  }
  return pageResponse(body, lookup ? 'miss' : 'bypass');
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
