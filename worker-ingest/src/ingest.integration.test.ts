// The worker in this process against real NATS, ClickHouse and Postgres (goods_test).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRow } from './event.ts';
import { insertQueryId, insertRows } from './clickhouse.ts';
import { createLog } from '../../shared/log.ts';
import { eventSubject, slotOf } from '../../shared/partitions.ts';
import {
  consumerState,
  exactlyOnceReport,
  makeEvent,
  publishEvents,
  setUpBackends,
  waitFor,
  type Backends,
} from '../../test/support/worker/backends.ts';
import { startIngestWorker, type IngestWorker } from './worker.ts';

const BATCH = 500;
let b: Backends;
let worker: IngestWorker;
const logs: Array<Record<string, unknown>> = [];
const log = createLog({}, (line) => logs.push(JSON.parse(line)));

beforeAll(async () => {
  b = await setUpBackends({ batchSize: BATCH, batchMs: 300 });
  worker = await startIngestWorker(b.config, log);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await b?.close();
}, 30_000);

const inserted = (n: number) => () => worker.metrics.eventsInserted >= n;

describe('ingest worker', { timeout: 60_000 }, () => {
  it('writes N events in about N / batch-size INSERTs, each row once', async () => {
    const before = { ...worker.metrics };
    const events = Array.from({ length: 5000 }, () => makeEvent());
    await publishEvents(b.nc, b.config, events);
    await waitFor('all events inserted', inserted(before.eventsInserted + events.length));

    const inserts = worker.metrics.inserts - before.inserts;
    expect(inserts).toBeGreaterThanOrEqual(events.length / BATCH);
    expect(inserts).toBeLessThanOrEqual(events.length / BATCH + 5);
    expect(
      await exactlyOnceReport(
        b.ch,
        events.map((e) => e.eventId),
      ),
    ).toEqual({
      present: events.length,
      rows: events.length,
      repeated: 0,
      missing: 0,
    });
    const batchLines = logs.filter((l) => l.msg === 'batch');
    expect(batchLines.length).toBeGreaterThan(0);
    expect(Object.keys(batchLines[0]!)).toEqual([
      'msg',
      'partition',
      'size',
      'inserted',
      'duplicates',
      'ms',
      'lagMs',
      'queuedMs',
      'lockMs',
      'lockWaitMs',
      'checkMs',
      'insertMs',
      'commitMs',
      'time',
    ]);
    await waitFor('every message acked', async () => (await consumerState(b.jsm, b.config)).ackPending === 0);
  });

  it('stores one row for an event that arrives twice (the duplicate window bypassed)', async () => {
    const before = { ...worker.metrics };
    const a = makeEvent();
    const c = makeEvent();
    // a: twice in the same batch; c: once, then again after it is in goods_log.
    await publishEvents(b.nc, b.config, [a, a, c], (e, i) => `${e.eventId}-${i}`);
    await waitFor('first copies inserted', inserted(before.eventsInserted + 2));
    await publishEvents(b.nc, b.config, [c], (e) => `${e.eventId}-again`);
    await waitFor('second copy of c skipped', () => worker.metrics.duplicatesSkipped >= before.duplicatesSkipped + 2);

    expect(worker.metrics.eventsInserted - before.eventsInserted).toBe(2);
    expect(await exactlyOnceReport(b.ch, [a.eventId, c.eventId])).toMatchObject({ rows: 2, repeated: 0, missing: 0 });
  });

  it('skips an event that is already in goods_log (a worker died between INSERT and ack)', async () => {
    const before = { ...worker.metrics };
    const e = makeEvent();
    const rows = [toRow(e)];
    await insertRows(b.ch, rows, insertQueryId(b.config.pipeline, rows, [slotOf(e.projectId)]), { deduplicationToken: false });
    await publishEvents(b.nc, b.config, [e]);
    await waitFor('event seen', () => worker.metrics.duplicatesSkipped > before.duplicatesSkipped);

    expect(worker.metrics.eventsInserted).toBe(before.eventsInserted);
    expect(await exactlyOnceReport(b.ch, [e.eventId])).toMatchObject({ rows: 1, repeated: 0 });
  });

  it('writes every column as the event says', async () => {
    const e = makeEvent({
      projectId: 7,
      name: `Первая запись "quoted" \\ back\nslash ${randomUUID()}`,
      description: 'описание\t💡\r\f',
      priority: 2147483647,
      removed: true,
      eventTime: '2026-11-23T08:00:00.987Z',
      kind: 'remove',
    });
    await publishEvents(b.nc, b.config, [e]);
    const row = await waitFor('row visible', async () => {
      const result = await b.ch.query({
        query: `SELECT * FROM goods_log WHERE EventId = '${e.eventId}'`,
        format: 'JSONEachRow',
      });
      return (await result.json<Record<string, unknown>>())[0];
    });
    expect(row).toEqual({
      Id: e.id,
      ProjectId: 7,
      Name: e.name,
      Description: 'описание\t💡\r\f',
      Priority: 2147483647,
      Removed: 1,
      EventTime: '2026-11-23 08:00:00', // DateTime('UTC'): seconds, UTC
      EventId: e.eventId,
      IngestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      Kind: 'remove',
      EventTimeMs: String(Date.UTC(2026, 10, 23, 8, 0, 0, 987)), // UInt64: a string in JSON
    });
    const ingestedAt = Date.parse(`${String(row.IngestedAt).replace(' ', 'T')}Z`);
    expect(Math.abs(ingestedAt - Date.now())).toBeLessThan(60_000);
  });

  it('terminates malformed messages and keeps going', async () => {
    const before = { ...worker.metrics };
    const js = b.jsm.jetstream();
    await js.publish(eventSubject(b.config.subject, 1, b.config.partitions), 'not json');
    await js.publish(eventSubject(b.config.subject, 1, b.config.partitions), JSON.stringify({ ...makeEvent(), eventId: 'nope' }));
    await js.publish(eventSubject(b.config.subject, 1, b.config.partitions), JSON.stringify({ ...makeEvent(), priority: 1.5 }));
    const good = makeEvent();
    await publishEvents(b.nc, b.config, [good]);
    await waitFor('good event inserted', async () => (await exactlyOnceReport(b.ch, [good.eventId])).rows === 1);

    expect(worker.metrics.malformed - before.malformed).toBe(3);
    expect(logs.filter((l) => l.msg === 'malformed_event')).toHaveLength(3);
    await waitFor('nothing left pending', async () => {
      const s = await consumerState(b.jsm, b.config);
      return s.ackPending === 0 && s.pending === 0;
    });
  });

  it('deletes confirmed events from goods_outbox', async () => {
    const e = makeEvent();
    await b.pool.query('INSERT INTO goods_outbox (event_id, payload) VALUES ($1, $2)', [e.eventId, JSON.stringify(e)]);
    await publishEvents(b.nc, b.config, [e]);
    await waitFor('outbox row deleted', async () => {
      const { rows } = await b.pool.query('SELECT 1 FROM goods_outbox WHERE event_id = $1', [e.eventId]);
      return rows.length === 0;
    });
    expect(await exactlyOnceReport(b.ch, [e.eventId])).toMatchObject({ rows: 1, repeated: 0 });
  });
});
