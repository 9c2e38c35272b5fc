// The outbox relay: events the edge wrote to goods_outbox but never managed to publish.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoodEvent } from '../../shared/event.ts';
import { exactlyOnceReport, makeEvent, setUpBackends, waitFor, type Backends } from '../../test/support/worker/backends.ts';
import { startIngestWorker, type IngestWorker } from './worker.ts';

// Rows are back-dated by two days; the relay of setUpBackends waits one, so it never touches the
// outbox rows of other suites sharing goods_test (their rows are seconds old).
let b: Backends;
let worker: IngestWorker;

beforeAll(async () => {
  b = await setUpBackends();
  worker = await startIngestWorker({ ...b.config, relayEveryMs: 250 }, () => undefined);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await b?.close();
});

async function insertOutbox(e: GoodEvent, relayedAgo?: string): Promise<void> {
  await b.pool.query(
    `INSERT INTO goods_outbox (event_id, payload, created_at, relayed_at)
     VALUES ($1, $2, now() - interval '2 days', now() - $3::interval)`,
    [e.eventId, JSON.stringify(e), relayedAgo ?? null],
  );
}

async function outboxRow(eventId: string) {
  const { rows } = await b.pool.query<{ relayed_at: Date | null }>('SELECT relayed_at FROM goods_outbox WHERE event_id = $1', [eventId]);
  return rows[0];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('outbox relay', { timeout: 60_000 }, () => {
  it('publishes an outbox row that was never published; it lands once and leaves the outbox', async () => {
    const before = worker.metrics.relayPublished;
    // A project no test file creates: goods_test's stats of created projects stay theirs.
    const e = makeEvent({ projectId: 1_900_000_003 });
    await insertOutbox(e);
    await waitFor('row in goods_log', async () => (await exactlyOnceReport(b.ch, [e.eventId])).present === 1);
    await waitFor('outbox row deleted', async () => (await outboxRow(e.eventId)) === undefined);
    expect(worker.metrics.relayPublished).toBeGreaterThan(before);
    expect(await exactlyOnceReport(b.ch, [e.eventId])).toMatchObject({ rows: 1, repeated: 0 });
  });

  it('offers a row again only 30 s after its last relay', async () => {
    const recent = makeEvent();
    const stale = makeEvent();
    await insertOutbox(recent, '5 seconds');
    await insertOutbox(stale, '31 seconds');
    await waitFor('stale row relayed and ingested', async () => (await exactlyOnceReport(b.ch, [stale.eventId])).present === 1);
    await sleep(1000); // four more ticks
    expect((await exactlyOnceReport(b.ch, [recent.eventId])).present).toBe(0);
    expect(await outboxRow(recent.eventId)).toBeDefined();
    await b.pool.query('DELETE FROM goods_outbox WHERE event_id = $1', [recent.eventId]);
  });

  it('skips rows another transaction holds (FOR UPDATE SKIP LOCKED) and takes them once released', async () => {
    const locked = makeEvent();
    const free = makeEvent();
    await insertOutbox(locked, '29 seconds'); // not due yet: no tick can take it before the lock
    const holder = await b.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM goods_outbox WHERE event_id = $1 FOR UPDATE', [locked.eventId]);
      await sleep(1500); // now due, but locked
      await insertOutbox(free);
      // A relay waiting for the lock would not get to the free row either.
      await waitFor('free row ingested', async () => (await exactlyOnceReport(b.ch, [free.eventId])).present === 1);
      expect((await exactlyOnceReport(b.ch, [locked.eventId])).present).toBe(0);
    } finally {
      await holder.query('COMMIT');
      holder.release();
    }
    await waitFor('locked row ingested once released', async () => (await exactlyOnceReport(b.ch, [locked.eventId])).present === 1);
    await waitFor(
      'outbox rows deleted',
      async () => (await outboxRow(locked.eventId)) === undefined && (await outboxRow(free.eventId)) === undefined,
    );
  });
});
