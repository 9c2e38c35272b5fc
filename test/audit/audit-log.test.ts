import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { api, createGood, createGoodKeyed, listGoods, removeGood, reprioritize, sendAllUntilAnswered, updateGood } from '../support/api.ts';
import { chQuery, waitForEvents } from '../support/clickhouse.ts';
import { closeTestDb, testDb } from '../support/db.ts';
import { type ExtraApi, startExtraApi } from '../support/extra-api.ts';
import { useIngestWorker } from '../support/ingest.ts';
import type { GoodsLogRow } from '../../worker-ingest/src/event.ts';
import { resetState } from '../support/reset.ts';
import { waitFor } from '../support/wait.ts';

type LogRow = Omit<GoodsLogRow, 'EventTime' | 'EventTimeMs'> & { EventTime: string };

const ingest = useIngestWorker();
let prefix: string;

async function logRows(expected: number): Promise<LogRow[]> {
  await waitForEvents(prefix, expected, 20_000); // under the test timeout, so a miss says what is missing
  // EventTime has whole seconds (ClickHouse 18.16 has no DateTime64): order is not kept within one.
  return chQuery<LogRow>(
    `SELECT Id, ProjectId, Name, Description, Priority, Removed, EventTime, toString(EventId) AS EventId, Kind
     FROM goods_log WHERE startsWith(Name, '${prefix}') ORDER BY EventTime, Name, Removed, Priority`,
  );
}

afterAll(closeTestDb);
beforeEach(async () => {
  await resetState();
  prefix = `audit-${randomUUID().slice(0, 8)}`;
});

describe('list cache backstop', () => {
  it('drops pages a write could not invalidate once its events are stored', async () => {
    // This API instance cannot reach Redis: its writes succeed without invalidating anything.
    const cut: ExtraApi = await startExtraApi(3360, { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9' });
    try {
      await createGood(1, { name: `${prefix}-a` });
      await waitForEvents(prefix, 1, 10_000);
      // The worker bumps the generation once when it starts: the page cached next must outlive it.
      await waitFor('the start-up bump of the worker', async () => ((await ingest().metrics()).listCacheBumps ?? 0) >= 1);
      await waitFor('a cached page', async () => (await listGoods()).headers.get('x-cache') === 'hit');
      const written = await api('POST', '/goods/create', { base: cut.url, query: { projectId: 1 }, json: { name: `${prefix}-b` } });
      expect(written.status).toBe(200);
      expect((await listGoods()).body.meta.total).toBe(1); // stale: nobody could invalidate yet
      await waitForEvents(prefix, 2, 10_000);
      await waitFor('the stale page to go', async () => (await listGoods()).body.meta.total === 2, 5_000);
    } finally {
      await cut.stop();
    }
  });
});

describe('goods_log', () => {
  it('gets one row per create, update and remove, with the state after the change', async () => {
    const started = Date.now();
    const created = (await createGood(1, { name: `${prefix}-a`, description: 'first' })).body;
    await updateGood(created.id, 1, { name: `${prefix}-b`, description: 'second' });
    await removeGood(created.id, 1);

    const rows = await logRows(3);
    expect(rows.map(({ EventId, EventTime, ...rest }) => rest)).toEqual([
      { Id: created.id, ProjectId: 1, Name: `${prefix}-a`, Description: 'first', Priority: 1, Removed: 0, Kind: 'create' },
      { Id: created.id, ProjectId: 1, Name: `${prefix}-b`, Description: 'second', Priority: 1, Removed: 0, Kind: 'update' },
      { Id: created.id, ProjectId: 1, Name: `${prefix}-b`, Description: 'second', Priority: 1, Removed: 1, Kind: 'remove' },
    ]);
    for (const row of rows) {
      expect(row.EventId).toMatch(/^[0-9a-f-]{36}$/);
      const at = Date.parse(`${row.EventTime.replace(' ', 'T')}Z`);
      expect(at).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
      expect(at).toBeLessThanOrEqual(Date.now());
    }
    expect(new Set(rows.map((r) => r.EventId)).size).toBe(3);
  });

  it('gets one row per good moved by reprioritize', async () => {
    for (let i = 1; i <= 4; i++) await createGood(1, { name: `${prefix}-${i}` });
    const moved = (await reprioritize(4, 1, 2)).body.priorities;
    expect(moved).toHaveLength(3);

    const rows = await logRows(7);
    const created = rows.filter((r) => r.Kind === 'create');
    expect(created.map((r) => r.Priority)).toEqual(created.map((r) => Number(r.Name.split('-').at(-1))));
    expect(created.map((r) => r.Id).sort()).toEqual([1, 2, 3, 4]);
    const moves = rows.filter((r) => r.Kind === 'reprioritize').map((r) => ({ id: r.Id, priority: r.Priority }));
    expect(moves.length + created.length).toBe(rows.length);
    expect(moves.sort((a, b) => a.priority - b.priority)).toEqual(moved);
  });

  it('cleans confirmed events out of the outbox', async () => {
    await createGood(1, { name: `${prefix}-x` });
    await logRows(1);
    await waitFor(
      'the outbox to empty',
      async () => (await testDb().query('SELECT count(*)::int AS n FROM goods_outbox')).rows[0]?.n === 0,
    );
  });

  it('batches: many events take few inserts', async () => {
    const before = await ingest().metrics();
    const created = await sendAllUntilAnswered(200, (i) => createGoodKeyed(1, { name: `${prefix}-${i}` }, `${prefix}-${i}`));
    expect(created.map((r) => r.status)).toEqual(Array(200).fill(200));
    await logRows(200);
    const after = await ingest().metrics();
    expect(after.eventsInserted! - before.eventsInserted!).toBeGreaterThanOrEqual(200);
    expect(after.inserts! - before.inserts!).toBeLessThanOrEqual(20);
  });

  it('GET /metrics speaks Prometheus, and its counters move by exactly the events written', async () => {
    // Settled: no earlier test's events still on their way.
    await waitFor(
      'the outbox to empty',
      async () => (await testDb().query('SELECT count(*)::int AS n FROM goods_outbox')).rows[0]?.n === 0,
    );
    const before = await ingest().prometheus();
    const created = await Promise.all(Array.from({ length: 30 }, (_, i) => createGood(1, { name: `${prefix}-prom-${i}` })));
    expect(created.map((r) => r.status)).toEqual(Array(30).fill(200));
    await waitForEvents(`${prefix}-prom-`, 30, 20_000);
    await waitFor(
      'the outbox to empty',
      async () => (await testDb().query('SELECT count(*)::int AS n FROM goods_outbox')).rows[0]?.n === 0,
    );
    const after = await ingest().prometheus();
    const moved = (name: string) => after.get(`goods_ingest_${name}`)! - before.get(`goods_ingest_${name}`)!;
    expect(moved('events_received_total')).toBe(30);
    expect(moved('events_inserted_total')).toBe(30);
    expect(moved('outbox_deleted_total')).toBe(30);
    expect(moved('duplicates_skipped_total')).toBe(0);
    expect(moved('batches_total')).toBeGreaterThanOrEqual(1);
    expect(moved('insert_duration_seconds_count')).toBe(moved('inserts_total'));
    expect(after.get('goods_ingest_insert_duration_seconds_bucket{le="+Inf"}')).toBe(
      after.get('goods_ingest_insert_duration_seconds_count'),
    );
    expect(after.get('goods_ingest_outbox_backlog')).toBe(0);
    expect(after.get('goods_ingest_lag_seconds')).toBeGreaterThanOrEqual(0);
    for (const name of ['redelivered_total', 'relay_published_total', 'held_events']) expect(after.has(`goods_ingest_${name}`)).toBe(true);
    // P and who holds what: the suite's one worker holds the one partition.
    expect(after.get('goods_ingest_partitions')).toBe(1);
    expect(after.get('goods_ingest_partitions_held')).toBe(1);
    expect([...after.keys()].filter((key) => key.startsWith('goods_ingest_partition_owner{'))).toEqual([
      expect.stringMatching(/^goods_ingest_partition_owner\{partition="0",worker="[^"]+"\}$/),
    ]);
    expect(after.get('goods_ingest_partition_messages{partition="0"}')).toBeGreaterThanOrEqual(0);
  });
});
