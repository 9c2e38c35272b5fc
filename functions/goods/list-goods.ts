import type { Queryable } from '../db/queryable.ts';
import type { GoodsPage } from './types.ts';

// Counts come from the trigger-maintained goods_stats row; goods_page (migration 0008) finds the
// page through per-block counts, as cheap at position 990,000 as at 1.
const LIST_SQL = `
  SELECT s.total, s.removed, s.version,
         COALESCE((SELECT json_agg(goods_json(g) ORDER BY g.sort_key) FROM goods_page($1, $2) g), '[]') AS goods
  FROM goods_stats s`;

/** A page, and the version of its counts (goods_stats.version, migration 0014). */
export interface VersionedPage {
  page: GoodsPage;
  version: number;
}

/** `offset` is the 1-based position of the first good. */
export async function listVersionedPage(db: Queryable, page: { limit: number; offset: number }): Promise<VersionedPage> {
  const { rows } = await db.query<{ total: string; removed: string; version: string; goods: GoodsPage['goods'] }>(LIST_SQL, [
    page.limit,
    page.offset,
  ]);
  const row = rows[0];
  if (!row) throw new Error('goods_stats row is missing');
  return {
    page: { meta: { total: Number(row.total), removed: Number(row.removed), limit: page.limit, offset: page.offset }, goods: row.goods },
    version: Number(row.version),
  };
}

/** `offset` is the 1-based position of the first good. */
export async function listGoods(db: Queryable, page: { limit: number; offset: number }): Promise<GoodsPage> {
  return (await listVersionedPage(db, page)).page;
}
