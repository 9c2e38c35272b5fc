import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGoods, reprioritize } from './support/api.ts';
import { expectExactlyOnce } from './support/exactly-once.ts';
import { closeTestDb, misplacedGoods, testDb } from './support/db.ts';
import { useIngestWorker } from './support/ingest.ts';
import { resetState } from './support/reset.ts';
import { waitFor } from './support/wait.ts';
import { seed } from './support/seed.ts';

// A reprioritize that moves a whole catalogue of 100,000 goods (loaded by `npm run seed`): one
// answer with every change, the order exact, and every move logged once. The moves travel as
// outbox parts that the relay publishes (too many for the edge) and the worker expands.

useIngestWorker();
beforeAll(resetState);
afterAll(async () => {
  await resetState();
  await closeTestDb();
});

describe('100,000 goods', () => {
  it('moving the last to the top answers 200 with every change, keeps pages exact and logs each move once', {
    timeout: 300_000,
  }, async () => {
    expect(await seed(100_000, 10)).toMatch(/seed: 100,000 \/ 100,000 goods/);
    const prefix = `scale-${randomUUID().slice(0, 8)}-`;
    await testDb().query('UPDATE goods SET name = $1 || id', [prefix]);
    const { rows: lastRows } = await testDb().query<{ id: number; project_id: number }>(
      'SELECT id, project_id FROM goods ORDER BY priority DESC LIMIT 1',
    );
    const last = lastRows[0]!;

    const answer = await reprioritize(last.id, last.project_id, 1);
    expect(answer.status).toBe(200);
    const { rows: order } = await testDb().query<{ id: number; priority: number }>('SELECT id, priority FROM goods ORDER BY priority');
    expect(answer.body.priorities).toHaveLength(100_000);
    expect(answer.body.priorities[0]).toEqual({ id: last.id, priority: 1 });
    expect(answer.body.priorities).toEqual(order);
    expect(order.map((g) => g.priority)).toEqual(Array.from({ length: 100_000 }, (_, i) => i + 1));

    expect(await misplacedGoods()).toEqual([]);
    const deep = await listGoods({ limit: 3, offset: 99_998 });
    expect(deep.body.goods.map((g: { id: number }) => g.id)).toEqual(order.slice(99_997).map((g) => g.id));

    await expectExactlyOnce(prefix, 100_000, 180_000);
    // Each part's outbox row is forgotten once all of its goods are stored.
    const outbox = async () => (await testDb().query<{ n: number }>('SELECT count(*)::int AS n FROM goods_outbox')).rows[0]!.n;
    await waitFor('an empty outbox', async () => ((await outbox()) === 0 ? true : undefined), 30_000);
  });
});
