import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reprioritize } from '../support/api.ts';
import { closeTestDb, testDb } from '../support/db.ts';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { useIngestWorker } from '../support/ingest.ts';
import { resetState } from '../support/reset.ts';
import { seed } from '../support/seed.ts';

// A reprioritize's events travel as parts (100 goods each). With the relay held back past the
// test's end, only the edge can publish them: a move's events that reach goods_log here were
// published by the Worker right after its answer, as a single write's are.
const ingest = useIngestWorker({ RELAY_AFTER_MS: String(30 * 60_000) });
beforeAll(resetState);
afterAll(async () => {
  await resetState();
  await closeTestDb();
});

describe('a move of thousands of goods', () => {
  it('has its parts published by the edge: every moved good logged once, none by the relay', { timeout: 120_000 }, async () => {
    expect(await seed(2_500, 1)).toMatch(/seed: 2,500 \/ 2,500 goods/);
    const prefix = `edge-move-${randomUUID().slice(0, 8)}-`;
    await testDb().query('UPDATE goods SET name = $1 || id', [prefix]);
    const { rows } = await testDb().query<{ id: number }>('SELECT id FROM goods ORDER BY priority DESC LIMIT 1');

    const moved = await reprioritize(rows[0]!.id, 1, 1);
    expect(moved.status).toBe(200);
    expect(moved.body.priorities).toHaveLength(2_500);

    await expectExactlyOnce(prefix, 2_500, 60_000);
    expect((await ingest().metrics()).relayPublished).toBe(0);
  });
});
