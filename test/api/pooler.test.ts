import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeStats, createGood, createGoodKeyed, resetBridgeStats, sendAllUntilAnswered, updateGood } from '../support/api.ts';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { closeTestDb, testDb } from '../support/db.ts';
import { useIngestWorker } from '../support/ingest.ts';
import { serverSessionCap, serverSessions, testPool, testPoolTransactions } from '../support/pooler.ts';
import { resetState } from '../support/reset.ts';

// The API reaches Postgres through PgBouncer in transaction mode (DATABASE_URL), as on Neon's
// pooled connection string: each request still opens its own client connection, but to the
// pooler, which hands it one of a few long-lived Postgres sessions for its statement.

useIngestWorker();
beforeAll(resetState);
afterAll(closeTestDb);

async function postgresBackends(): Promise<number> {
  const { rows } = await testDb().query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'",
  );
  return rows[0]!.n;
}

describe('the pooler', () => {
  it('serves many requests on a few reused Postgres sessions', async () => {
    const transactionsBefore = await testPoolTransactions();
    await resetBridgeStats();
    const created = await Promise.all(Array.from({ length: 100 }, (_, i) => createGood(1, { name: `pooled-${i}` })));
    expect(created.map((r) => r.status)).toEqual(Array(100).fill(200));
    const ids: number[] = created.map((r) => r.body.id);
    const updated = await Promise.all(ids.map((id) => updateGood(id, 1, { name: `pooled-${id}-renamed` })));
    expect(updated.map((r) => r.status)).toEqual(Array(100).fill(200));

    // 200 client connections reached the pooler, and it ran their 200 transactions...
    expect((await bridgeStats()).postgres.totalConnections).toBe(200);
    expect((await testPoolTransactions()) - transactionsBefore).toBeGreaterThanOrEqual(200);
    // ...on at most its pool of server sessions, which stay open for the next requests.
    const pool = await testPool();
    expect(serverSessions(pool)).toBeGreaterThan(0);
    expect(serverSessions(pool)).toBeLessThanOrEqual(await serverSessionCap());
    // Every Postgres session of the database: the pooler's, the worker's and the tests' own.
    expect(await postgresBackends()).toBeLessThan(50);
    expect(pool.cl_waiting).toBe(0);
  });

  it('takes a burst of 500 concurrent keyed creates: each is created once, priorities distinct', async () => {
    // Every write counts the catalogue under one row lock, so a burst's creates commit one at a
    // time; on a busy machine the last of them can meet their deadline in that queue. Those answer
    // the clean 500 and are sent again with their key, as a client does.
    const prefix = `burst-${randomUUID().slice(0, 8)}`;
    const created = await sendAllUntilAnswered(500, (i) => createGoodKeyed(1, { name: `${prefix}-${i}` }, `${prefix}-${i}`));
    expect(created.map((r) => r.status)).toEqual(Array(500).fill(200));
    const priorities = new Set(created.map((r) => r.body.priority));
    expect(priorities.size).toBe(500);
    await expectExactlyOnce(prefix, 500, 60_000);
  }, 120_000);
});
