import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, bridgeStats, createGood, listGoods, resetBridgeStats } from '../support/api.ts';
import { closeTestDb, goodsSnapshot, testDb } from '../support/db.ts';
import { testEnv } from '../support/env.ts';
import { type ExtraApi, startExtraApi } from '../support/extra-api.ts';
import { adminConsole, testDatabase, testPool } from '../support/pooler.ts';
import { resetState } from '../support/reset.ts';
import { between } from '../support/services.ts';
import { waitFor } from '../support/wait.ts';

// A request that finds no free Postgres session. Through the pooler (the API's DATABASE_URL) it
// waits in PgBouncer's queue, for at most query_wait_timeout (4 s, below the API's 5 s
// deadline); its statement was never sent, so a 500 then means "not written". Straight to
// Postgres (a DATABASE_URL without a pooler), Postgres turns the session away at startup
// (53300) and the API tries a new connection for about 2 s.

beforeEach(resetState);
afterAll(closeTestDb);

const burstOfCreates = (create: (name: string) => Promise<{ status: number; body: any }>) =>
  Promise.all(Array.from({ length: 20 }, (_, i) => create(`burst-${i}`)));

function expectDistinctPriorities(created: { body: { priority: number } }[]): void {
  const priorities = created.map((r) => r.body.priority).sort((a, b) => a - b);
  expect(priorities).toEqual(Array.from({ length: created.length }, (_, i) => i + 1));
}

const whilePoolerPaused = <T>(during: () => Promise<T>): Promise<T> =>
  between(
    () => adminConsole(`PAUSE ${testDatabase()}`),
    during,
    () => adminConsole(`RESUME ${testDatabase()}`),
  );

describe('through the pooler, no free server session', () => {
  it('queues a burst of requests until sessions free up, and every one of them succeeds', async () => {
    const { burst } = await whilePoolerPaused(async () => {
      const burst = Promise.all([burstOfCreates((name) => createGood(1, { name })), listGoods()]);
      // Queued by the pooler, not refused.
      await waitFor('the burst to queue at the pooler', async () => (await testPool()).cl_waiting >= 21, 3_000, 20);
      return { burst };
    });
    const [created, list] = await burst;
    expect([...created.map((r) => r.status), list.status]).toEqual(Array(21).fill(200));
    expectDistinctPriorities(created);
  });

  it('answers a clean 500 in the error shape when the queue wait runs out, and writes nothing', async () => {
    const before = await goodsSnapshot();
    const started = Date.now();
    const response = await whilePoolerPaused(() => createGood(1, { name: 'never-served' }));
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ code: 1, message: 'errors.internal', details: {} });
    expect(await goodsSnapshot()).toEqual(before);
    expect((await createGood(1, { name: 'after' })).status).toBe(200);
  });
});

describe('straight to Postgres, out of connection slots', () => {
  let direct: ExtraApi;
  const create = (name: string) => api('POST', '/goods/create', { query: { projectId: 1 }, json: { name }, base: direct.url });

  beforeAll(async () => {
    direct = await startExtraApi(3361, { DATABASE_URL: testEnv.DIRECT_URL! });
  });
  afterAll(() => direct.stop());

  // The limit is set on the test database: 0 refuses every new session of a non-superuser,
  // while the sessions already open (the tests' own) carry on.
  const connectionLimit = (limit: number) =>
    `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I CONNECTION LIMIT ${limit}', current_database()); END $$`;

  // On a session opened before: lifting the limit must not need a new one.
  async function refuseNewSessions<T>(during: () => Promise<T>): Promise<T> {
    const admin = await testDb().connect();
    try {
      return await between(
        () => admin.query(connectionLimit(0)),
        during,
        () => admin.query(connectionLimit(-1)),
      );
    } finally {
      admin.release();
    }
  }

  it('holds a burst of requests until slots free up, and every one of them succeeds', async () => {
    await resetBridgeStats();
    // Released while the burst is still waiting: wrapped, so the release does not wait for it.
    const { burst } = await refuseNewSessions(async () => {
      const burst = Promise.all([burstOfCreates(create), api('GET', '/goods/list', { base: direct.url })]);
      // 31 sessions for 21 requests: turned away at least ten times, and tried again.
      await waitFor('refused sessions to be tried again', async () => (await bridgeStats()).postgres.totalConnections >= 31, 10_000, 10);
      return { burst };
    });
    const [created, list] = await burst;
    expect([...created.map((r) => r.status), list.status]).toEqual(Array(21).fill(200));
    expectDistinctPriorities(created);
  });

  it('answers a clean 500 in the error shape when no slot frees up in time, and writes nothing', async () => {
    const before = await goodsSnapshot();
    const started = Date.now();
    const response = await refuseNewSessions(() => create('refused'));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ code: 1, message: 'errors.internal', details: {} });
    expect(await goodsSnapshot()).toEqual(before);
    expect((await create('after')).status).toBe(200);
  });
});
