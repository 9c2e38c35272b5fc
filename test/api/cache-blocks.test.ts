import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BLOCK_SIZE } from '../../functions/cache/list-change.ts';
import { listGoods as pageFromPostgres } from '../../functions/goods/list-goods.ts';
import { createGood, listGoods, removeGood, reprioritize, updateGood } from '../support/api.ts';
import { closeTestDb, testDb } from '../support/db.ts';
import { resetState } from '../support/reset.ts';
import { waitFor } from '../support/wait.ts';

// A write drops or changes only the cached pages whose positions it changed: pages of the blocks
// before a move stay hits, and every page a write changed is the page Postgres has, meta included.

const LIMIT = BLOCK_SIZE;
const BLOCKS = 4;
const offsets = Array.from({ length: BLOCKS }, (_, b) => 1 + b * LIMIT);

async function cached(offset: number) {
  await waitFor(`page ${offset} cached`, async () => (await listGoods({ limit: LIMIT, offset })).headers.get('x-cache') === 'hit');
}

/** Lists every page: each must be exactly what Postgres has; returns their x-cache. */
async function listAll(): Promise<string[]> {
  const seen: string[] = [];
  for (const offset of offsets) {
    const listed = await listGoods({ limit: LIMIT, offset });
    expect(listed.text, `page at ${offset} (${listed.headers.get('x-cache')})`).toBe(
      JSON.stringify(await pageFromPostgres(testDb(), { limit: LIMIT, offset })),
    );
    seen.push(listed.headers.get('x-cache')!);
  }
  return seen;
}

/** The id of the good at a position. */
async function idAt(position: number): Promise<number> {
  return (await pageFromPostgres(testDb(), { limit: 1, offset: position })).goods[0]!.id;
}

/** The id of the first good not removed at or after a position. */
async function liveIdAt(position: number): Promise<number> {
  return (await pageFromPostgres(testDb(), { limit: LIMIT, offset: position })).goods.find((g) => !g.removed)!.id;
}

beforeEach(async () => {
  await resetState();
  await testDb().query(`INSERT INTO goods (project_id, name) SELECT 1, 'g' || n FROM generate_series(1, ${BLOCKS * LIMIT}) n`);
  for (const offset of offsets) await cached(offset);
});
afterAll(closeTestDb);

describe('list cache by blocks of positions', () => {
  it('a move up across blocks drops the pages from its new place on; the pages before it stay hits', async () => {
    const target = await idAt(3 * LIMIT + 5);
    expect((await reprioritize(target, 1, LIMIT + 5)).status).toBe(200);
    expect(await listAll()).toEqual(['hit', 'miss', 'miss', 'miss']);
    expect(await idAt(LIMIT + 5)).toBe(target);
  });

  it('a move down across blocks drops the pages from its old place on; the pages before it stay hits', async () => {
    const target = await idAt(LIMIT + 2);
    expect((await reprioritize(target, 1, 2 * LIMIT + 8)).status).toBe(200);
    expect(await listAll()).toEqual(['hit', 'miss', 'miss', 'miss']);
    expect(await idAt(2 * LIMIT + 7)).toBe(target);
  });

  it('an update or a remove changes its good in the cached page in place, and the counts in every page', async () => {
    const updated = await idAt(2 * LIMIT + 3);
    expect((await updateGood(updated, 1, { name: 'renamed in place' })).status).toBe(200);
    expect(await listAll()).toEqual(['hit', 'hit', 'hit', 'hit']);

    const removed = await idAt(LIMIT + 4);
    expect((await removeGood(removed, 1)).status).toBe(200);
    expect(await listAll()).toEqual(['hit', 'hit', 'hit', 'hit']);
    const page = await listGoods({ limit: LIMIT, offset: 1 + LIMIT });
    expect(page.body.goods[3]).toMatchObject({ id: removed, removed: true });
    expect(page.body.meta).toMatchObject({ total: BLOCKS * LIMIT, removed: 1 });
  });

  it('a create drops only the page it lands on, and no page shows the counts before it', async () => {
    expect((await createGood(1, { name: 'appended' })).status).toBe(200);
    expect(await listAll()).toEqual(['hit', 'hit', 'hit', 'hit']);
    const after = await listGoods({ limit: LIMIT, offset: 1 + BLOCKS * LIMIT });
    expect(after.headers.get('x-cache')).toBe('miss');
    expect(after.body.goods.map((g: { name: string }) => g.name)).toEqual(['appended']);
    expect(after.body.meta.total).toBe(BLOCKS * LIMIT + 1);
  });

  it('after every kind of write in a row, each page is the page Postgres has', async () => {
    for (let round = 0; round < 3; round++) {
      expect((await createGood(1, { name: `c${round}` })).status).toBe(200);
      expect((await updateGood(await liveIdAt(1 + round * 7), 1, { name: `u${round}` })).status).toBe(200);
      expect((await reprioritize(await liveIdAt(30 - round * 9), 1, 3 + round * 12)).status).toBe(200);
      expect((await removeGood(await liveIdAt(6 + round * 11), 1)).status).toBe(200);
      await listAll();
      await listAll();
    }
  });
});
