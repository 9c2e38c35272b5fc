import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMIT_MARGIN_MS, DEADLINE_MS } from '../../functions/db/with-database.ts';
import { REPRIORITIZE_BUDGET_MS, REPRIORITIZE_DEADLINE_MS } from '../../functions/goods/write-goods.ts';
import { createNodePool } from '../../shared/node-postgres.ts';
import { createGood, reprioritize } from '../support/api.ts';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { closeTestDb, testDb } from '../support/db.ts';
import { testEnv } from '../support/env.ts';
import { useIngestWorker } from '../support/ingest.ts';
import { adminConsole, testDatabase } from '../support/pooler.ts';
import { resetState } from '../support/reset.ts';

// Postgres bounds every statement (migration 0004; a reprioritize sets its own, longer budget),
// below the API's own deadline: a write that runs too long is cancelled and rolled back by
// Postgres, so its 500 means "not written". Left
// out is the one case no budget covers: Postgres (or the network) stops answering after the
// statement was sent; the deadline then answers 500 and the statement may still commit.

useIngestWorker();
beforeAll(async () => {
  await resetState();
  // Pooled sessions opened before the migration would not carry the database's setting.
  await adminConsole(`RECONNECT ${testDatabase()}`);
});
afterAll(closeTestDb);

const priorities = async () => (await testDb().query<{ id: number; priority: number }>('SELECT id, priority FROM goods ORDER BY id')).rows;

describe('the statement budget', () => {
  it("is what the app's pooled sessions run with, and shorter than the API deadline", async () => {
    const pooled = createNodePool(testEnv.DATABASE_URL!, `127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}`, 1);
    try {
      const { rows } = await pooled.query<{ ms: number }>(
        "SELECT extract(epoch FROM current_setting('statement_timeout')::interval) * 1000 AS ms",
      );
      expect(Number(rows[0]!.ms)).toBe(4_000);
      expect(Number(rows[0]!.ms)).toBeLessThan(DEADLINE_MS);
    } finally {
      await pooled.end();
    }
  });

  it('a reprioritize over budget rolls back whole and answers 500; within budget it answers 200, logged once', async () => {
    const prefix = `budget-${randomUUID().slice(0, 8)}`;
    const created = [];
    for (const n of [1, 2, 3]) created.push(await createGood(1, { name: `${prefix}-${n}` }));
    const [first, second, third] = created.map((r) => r.body.id as number);
    const before = await priorities();

    // Another transaction holds the second good: moving the third to the top has to wait for it.
    const holder = await testDb().connect();
    let answer: Awaited<ReturnType<typeof reprioritize>>;
    const started = Date.now();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM goods WHERE id = $1 FOR UPDATE', [second]);
      answer = await reprioritize(third!, 1, 1);
    } finally {
      // Released only after the answer: a statement the API had merely abandoned would now commit.
      await holder.query('ROLLBACK');
      holder.release();
    }
    const elapsed = Date.now() - started;
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ code: 1, message: 'errors.internal', details: {} });
    expect(elapsed).toBeGreaterThanOrEqual(REPRIORITIZE_BUDGET_MS - 500);
    // The lock wait would end by itself at the commit deadline (goods_begin_write's lock_timeout)
    // and the API would give up at its own deadline: an answer before both shows that the
    // statement budget ended the work, as Postgres cancels it and rolls it back.
    expect(elapsed).toBeLessThan(REPRIORITIZE_DEADLINE_MS - COMMIT_MARGIN_MS);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await priorities()).toEqual(before);

    const within = await reprioritize(third!, 1, 1);
    expect(within.status).toBe(200);
    expect(within.body.priorities).toEqual([
      { id: third, priority: 1 },
      { id: first, priority: 2 },
      { id: second, priority: 3 },
    ]);
    // Three creates and three moves: nothing of the cancelled reprioritize.
    await expectExactlyOnce(prefix, 6);
  }, 60_000);
});
