import type { Context } from 'hono';
import { isCacheablePage } from '../cache/cacheable-page.ts';
import type { CacheLookup } from '../cache/list-cache.ts';
import type { AppEnv } from '../env.ts';
import { listGoods } from '../goods/list-goods.ts';
import { listQuery } from '../http/schemas.ts';
import { parseQuery } from '../http/validate.ts';

function pageResponse(body: string, cache: 'hit' | 'miss' | 'bypass'): Response {
  return new Response(body, { headers: { 'content-type': 'application/json; charset=utf-8', 'x-cache': cache } });
}

/**
 * Redis first; on a miss Postgres, and the page is stored under the generation read before it.
 * A page the cache does not keep (see isCacheablePage) goes straight to Postgres.
 */
export async function listGoodsHandler(c: Context<AppEnv>): Promise<Response> {
  const { limit, offset } = parseQuery(c, listQuery);
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
