import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGood, listGoods } from './support/api.ts';
import { closeTestDb, testDb } from './support/db.ts';
import { resetState } from './support/reset.ts';
import { seed } from './support/seed.ts';

// `npm run seed` loads a catalogue in multi-row statements: the counters and priorities the
// triggers keep must come out exact, and the API must carry on from there.

beforeAll(resetState);
afterAll(async () => {
  await resetState();
  await closeTestDb();
});

describe('npm run seed', () => {
  it('loads 20,000 goods over 3 projects with exact counters and distinct priorities', { timeout: 120_000 }, async () => {
    const before = await listGoods(); // cached, and must not outlive the load
    expect(before.body.meta.total).toBe(0);

    const stdout = await seed(20_000, 3);
    expect(stdout).toMatch(/seed: 20,000 \/ 20,000 goods \(100 %\)/);
    expect(stdout).not.toMatch(/FAIL/);
    expect(stdout.match(/^ {2}ok {3}/gm)).toHaveLength(4);

    const { rows } = await testDb().query<{ goods: number; projects: number; priorities: number; min: number; max: number }>(
      `SELECT count(*)::int AS goods, count(DISTINCT project_id)::int AS projects, count(DISTINCT priority)::int AS priorities,
              min(priority) AS min, max(priority) AS max FROM goods`,
    );
    expect(rows[0]).toEqual({ goods: 20_000, projects: 3, priorities: 20_000, min: 1, max: 20_000 });

    const after = await listGoods({ limit: 1, offset: 20_000 });
    expect(after.body.meta).toEqual({ total: 20_000, removed: 0, limit: 1, offset: 20_000 });
    const created = await createGood(1, { name: 'after the load' });
    expect(created.body.priority).toBe(20_001);
  });
});
