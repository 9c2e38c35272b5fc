import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { bridgeStats, createGood, listGoods, resetBridgeStats } from '../support/api.ts';
import { closeTestDb, goodsSnapshot, testDb } from '../support/db.ts';
import { resetState } from '../support/reset.ts';
import { waitFor } from '../support/wait.ts';

// Postgres turns sessions away at startup (53300) when its connection slots are full, as a
// burst of requests can make them. The limit is set on the test database: 0 refuses every new
// session of a non-superuser, while the sessions already open (the tests' own) carry on.

beforeEach(resetState);
afterAll(closeTestDb);

const connectionLimit = (limit: number) =>
  `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I CONNECTION LIMIT ${limit}', current_database()); END $$`;

async function refuseNewSessions<T>(during: () => Promise<T>): Promise<T> {
  const admin = await testDb().connect();
  try {
    await admin.query(connectionLimit(0));
    return await during();
  } finally {
    await admin.query(connectionLimit(-1));
    admin.release();
  }
}

describe('Postgres out of connection slots', () => {
  it('holds a burst of requests until slots free up, and every one of them succeeds', async () => {
    await resetBridgeStats();
    // Released while the burst is still waiting: wrapped, so the release does not wait for it.
    const { burst } = await refuseNewSessions(async () => {
      const burst = Promise.all([
        ...Array.from({ length: 20 }, (_, i) => createGood(1, { name: `burst-${i}` })),
        listGoods(),
      ]);
      // 31 sessions for 21 requests: turned away at least ten times, and tried again.
      await waitFor('refused sessions to be tried again', async () => (await bridgeStats()).postgres.totalConnections >= 31, 10_000, 10);
      return { burst };
    });
    const resolved = await burst;
    expect(resolved.map((r) => r.status)).toEqual(Array(21).fill(200));
    const priorities = resolved.slice(0, 20).map((r) => r.body.priority).sort((a: number, b: number) => a - b);
    expect(priorities).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('answers a clean 500 in the error shape when no slot frees up in time, and writes nothing', async () => {
    const before = await goodsSnapshot();
    const started = Date.now();
    const response = await refuseNewSessions(() => createGood(1, { name: 'refused' }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ code: 1, message: 'errors.internal', details: {} });
    expect(await goodsSnapshot()).toEqual(before);
    expect((await createGood(1, { name: 'after' })).status).toBe(200);
  });
});
