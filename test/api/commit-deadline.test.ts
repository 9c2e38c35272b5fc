import { randomUUID } from 'node:crypto';
import type { PoolClient } from '@neondatabase/serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMIT_MARGIN_MS, DEADLINE_MS } from '../../functions/db/with-database.ts';
import { createGood, removeGood, reprioritizeGood, updateGood } from '../../functions/goods/write-goods.ts';
import { freePort } from '../../scripts/lib/processes.ts';
import * as http from '../support/api.ts';
import { closeTestDb, testDb } from '../support/db.ts';
import { type ExtraApi, startExtraApi } from '../support/extra-api.ts';
import { type OwnPooler, startOwnPooler } from '../support/pooler.ts';
import { resetState } from '../support/reset.ts';
import { sleep, waitFor } from '../support/wait.ts';

// "A write answered with anything but 2xx changed nothing", whatever the time it spent queueing
// in a pooler or waiting for a lock: Postgres refuses to commit a write past its deadline
// (migration 0009). The probes put both kinds of delay past the API's deadline, through a pooler
// of two sessions: one with the local queue wait (4 s), one with a queue wait as long as Neon's.

beforeAll(resetState);
afterAll(closeTestDb);

interface Good {
  id: number;
  name: string;
  priority: number;
  removed: boolean;
}

async function goodsByName(prefix: string): Promise<Map<string, Good>> {
  const { rows } = await testDb().query<Good>('SELECT id, name, priority, removed FROM goods WHERE name LIKE $1', [`${prefix}%`]);
  return new Map(rows.map((g) => [g.name, g]));
}

async function goodById(id: number): Promise<Good> {
  const { rows } = await testDb().query<Good>('SELECT id, name, priority, removed FROM goods WHERE id = $1', [id]);
  return rows[0]!;
}

/** A write sent to the API, and how to tell afterwards whether it committed. */
interface Probe {
  what: string;
  send: (base: string) => Promise<http.ApiResponse>;
  committed: () => Promise<boolean>;
}

/** Creates, updates, removes and a reprioritize, on goods of their own (made through the suite's API). */
async function probes(prefix: string): Promise<Probe[]> {
  const made: Good[] = [];
  for (let i = 0; i < 5; i++) made.push((await http.createGood(1, { name: `${prefix}-target-${i}` })).body);
  const [u1, u2, r1, r2, moved] = made as [Good, Good, Good, Good, Good];
  const creates = [1, 2, 3].map(
    (n): Probe => ({
      what: `create ${n}`,
      send: (base) => http.api('POST', '/goods/create', { base, query: { projectId: 1 }, json: { name: `${prefix}-new-${n}` } }),
      committed: async () => (await goodsByName(`${prefix}-new-${n}`)).size === 1,
    }),
  );
  const updates = [u1, u2].map(
    (good): Probe => ({
      what: `update ${good.id}`,
      send: (base) =>
        http.api('PATCH', '/goods/update', { base, query: { id: good.id, projectId: 1 }, json: { name: `${prefix}-renamed-${good.id}` } }),
      committed: async () => (await goodById(good.id)).name === `${prefix}-renamed-${good.id}`,
    }),
  );
  const removes = [r1, r2].map(
    (good): Probe => ({
      what: `remove ${good.id}`,
      send: (base) => http.api('DELETE', '/goods/remove', { base, query: { id: good.id, projectId: 1 } }),
      committed: async () => (await goodById(good.id)).removed,
    }),
  );
  const reprioritize: Probe = {
    what: `reprioritize ${moved.id}`,
    send: (base) => http.api('PATCH', '/goods/reprioritize', { base, query: { id: moved.id, projectId: 1 }, json: { newPriority: 1 } }),
    committed: async () => (await goodById(moved.id)).priority === 1,
  };
  return [...creates, ...updates, ...removes, reprioritize];
}

/** Statements of the app still running in Postgres (a write that was given up on might yet commit). */
async function writesInPostgres(): Promise<number> {
  const { rows } = await testDb().query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%goods_begin_write%'",
  );
  return rows[0]!.n;
}

/** Holds every session of a two-session pooler in an open transaction until released. */
async function holdPool(pooler: OwnPooler): Promise<() => Promise<void>> {
  const held = [await pooler.connect(), await pooler.connect()];
  for (const client of held) {
    await client.query('BEGIN');
    await client.query('SELECT 1');
  }
  return async () => {
    for (const client of held) {
      await client.query('COMMIT');
      await client.end();
    }
  };
}

async function lockGoods(): Promise<() => Promise<void>> {
  const client = await testDb().connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE goods IN EXCLUSIVE MODE');
  return async () => {
    await client.query('ROLLBACK');
    client.release();
  };
}

interface Outcome {
  what: string;
  status: number;
  ms: number;
  committed: boolean;
}

/** Sends every write at once through `api`, runs `meanwhile`, and says what each answered and committed. */
async function probe(api: ExtraApi, writes: Probe[], meanwhile: (started: number) => Promise<void>): Promise<Outcome[]> {
  const started = Date.now();
  const answers = writes.map((w) => w.send(api.url).then((r) => ({ status: r.status, ms: Date.now() - started })));
  await meanwhile(started);
  const answered = await Promise.all(answers);
  // Nothing of these writes may still be running: one that was merely abandoned would commit now.
  await waitFor('the writes to leave Postgres', async () => (await writesInPostgres()) === 0, 30_000);
  return Promise.all(writes.map(async (w, i) => ({ what: w.what, ...answered[i]!, committed: await w.committed() })));
}

const ok = (status: number) => status >= 200 && status < 300;

describe('a write past its deadline', () => {
  let pooler: OwnPooler | undefined;
  let api: ExtraApi | undefined;

  async function through(pool: { size: number; queryWaitTimeoutS: number }): Promise<ExtraApi> {
    await api?.stop();
    await pooler?.stop();
    pooler = await startOwnPooler(pool);
    api = await startExtraApi(await freePort(), { DATABASE_URL: pooler.url, PG_WS_PROXY: pooler.wsProxy });
    return api;
  }

  afterAll(async () => {
    await api?.stop();
    await pooler?.stop();
  });

  it('commits nothing when queue time plus lock time pass the deadline (local pooler)', async () => {
    const local = await through({ size: 2, queryWaitTimeoutS: 4 });
    const writes = await probes(`deadline-${randomUUID().slice(0, 8)}`);
    const releaseLock = await lockGoods();
    const releasePool = await holdPool(pooler!);
    const outcomes = await probe(local, writes, async (started) => {
      await sleep(2_000); // queue time
      await releasePool();
      await sleep(DEADLINE_MS + 500 - (Date.now() - started)); // lock time, under the 4 s budget
      await releaseLock();
    });
    for (const o of outcomes) expect(o, o.what).toMatchObject({ committed: ok(o.status) });
    // The case that used to commit: a write that reached Postgres and waited for the lock until
    // after the API had given up on it. It ends at its commit deadline instead.
    const late = outcomes.filter((o) => !ok(o.status) && o.ms >= DEADLINE_MS - COMMIT_MARGIN_MS - 200);
    expect(late.length, JSON.stringify(outcomes)).toBeGreaterThan(0);
  }, 60_000);

  it("commits nothing when a pooler with Neon's long queue wait sends it after the deadline", async () => {
    const neonLike = await through({ size: 2, queryWaitTimeoutS: 120 });
    const writes = await probes(`deadline-${randomUUID().slice(0, 8)}`);
    const releasePool = await holdPool(pooler!);
    const outcomes = await probe(neonLike, writes, async (started) => {
      await sleep(DEADLINE_MS + 1_000 - (Date.now() - started));
      await releasePool();
    });
    for (const o of outcomes) expect(o, o.what).toMatchObject({ committed: ok(o.status) });
    // Everything but the reprioritize (its deadline is longer) waited in the queue past its deadline.
    const single = outcomes.filter((o) => !o.what.startsWith('reprioritize'));
    expect(single.map((o) => o.status)).toEqual(single.map(() => 500));
  }, 60_000);
});

describe('the commit deadline in Postgres', () => {
  const soon = (ms: number) => new Date(Date.now() + ms);
  let target: Good;

  beforeAll(async () => {
    target = (await http.createGood(1, { name: `deadline-sql-${randomUUID().slice(0, 8)}` })).body;
  });

  const writes = {
    create: (db: PoolClient, by: Date) => createGood(db, { projectId: 1, name: 'never-created', description: '' }, by),
    update: (db: PoolClient, by: Date) => updateGood(db, { id: target.id, projectId: 1, name: 'never-renamed' }, by),
    remove: (db: PoolClient, by: Date) => removeGood(db, { id: target.id, projectId: 1 }, by),
    reprioritize: (db: PoolClient, by: Date) => reprioritizeGood(db, { id: target.id, projectId: 1, newPriority: 1 }, by),
  };

  async function unchanged(): Promise<void> {
    const { id, name, priority, removed } = target;
    expect(await goodById(target.id)).toEqual({ id, name, priority, removed });
    expect((await goodsByName('never-created')).size).toBe(0);
  }

  it.each(Object.keys(writes) as (keyof typeof writes)[])('refuses a %s whose deadline has passed before it starts', async (kind) => {
    const client = await testDb().connect();
    try {
      await expect(writes[kind](client, soon(-1))).rejects.toThrow(/deadline .* has passed/);
    } finally {
      client.release();
    }
    await unchanged();
  });

  it.each(Object.keys(writes) as (keyof typeof writes)[])('ends a %s that waits for a lock at its deadline', async (kind) => {
    const release = await lockGoods();
    const client = await testDb().connect();
    const started = Date.now();
    try {
      await expect(writes[kind](client, soon(500))).rejects.toThrow(/lock timeout/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      client.release();
      await release();
    }
    await unchanged();
  });

  it('refuses to commit a transaction whose deadline passed after its write', async () => {
    const client = await testDb().connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT goods_begin_write($1)', [soon(300).toISOString()]);
      await client.query("SELECT goods_create(1, 'never-created', '')");
      await client.query('SELECT pg_sleep(0.5)');
      await expect(client.query('COMMIT')).rejects.toThrow(/deadline .* has passed/);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
    await unchanged();
  });
});
