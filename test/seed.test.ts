import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGood, listGoods } from './support/api.ts';
import { closeTestDb, testDb } from './support/db.ts';
import { ROOT, testEnv } from './support/env.ts';
import { resetState } from './support/reset.ts';

// `npm run seed` loads a catalogue in multi-row statements: the counters and priorities the
// triggers keep must come out exact, and the API must carry on from there.

const run = promisify(execFile);

beforeAll(resetState);
afterAll(async () => {
  await resetState();
  await closeTestDb();
});

describe('npm run seed', () => {
  it('loads 20,000 goods over 3 projects with exact counters and distinct priorities', { timeout: 120_000 }, async () => {
    const before = await listGoods(); // cached, and must not outlive the load
    expect(before.body.meta.total).toBe(0);

    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts/seed.ts'), '--goods', '20000', '--projects', '3'],
      {
        cwd: ROOT,
        env: { ...process.env, ...testEnv },
        timeout: 100_000,
      },
    );
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
