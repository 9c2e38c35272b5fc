import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/api.ts';
import { closeTestDb, testDb } from '../support/db.ts';
import { testEnv } from '../support/env.ts';
import { type IngestProcess, startIngest } from '../support/ingest.ts';
import { resetState } from '../support/reset.ts';
import { services } from '../support/services.ts';
import { deleteFromJetStream } from '../support/jetstream-delete.ts';
import { copiesInStream, streamOnMonitor, suiteJetStream } from '../support/stream.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { exactlyOnceReport, prepareTestClickHouse } from '../support/worker/backends.ts';
import { partitionConsumer } from '../../worker-ingest/src/pipeline.ts';

// The stream is a bounded transport: acknowledged events leave it, a full stream refuses new
// publishes and keeps what it holds, and the Postgres outbox buffers the rest until there is room.

const STREAM = testEnv.NATS_STREAM!;
// Small enough that a few thousand events overfill it, several times over.
const LIMIT = 256 * 1024;
const WRITES = 3_000;

let ingest: IngestProcess | undefined;
let ch: ClickHouseClient;
let nats: { nc: NatsConnection; jsm: JetStreamManager };

beforeAll(async () => {
  await resetState();
  ch = await prepareTestClickHouse();
  nats = await suiteJetStream();
});
afterEach(async () => {
  await ingest?.stop();
  ingest = undefined;
});
afterAll(async () => {
  // The run at the limit leaves the consumer with messages NATS 2.9 dropped while they were delivered
  // (nats-server#4771); the worker's watchdog replaces such a consumer, but later files should
  // not have to wait for it: the next worker makes a fresh one.
  await deleteFromJetStream('the suite consumer', () => nats.jsm.consumers.delete(STREAM, partitionConsumer(testEnv.INGEST_CONSUMER!, 0)), {
    mayBeAbsent: true,
  });
  await nats.nc.close();
  await ch.close();
  await closeTestDb();
});

/** `count` creates named `${prefix}-<n>`, 32 at a time; every answer's status. */
async function creates(prefix: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        const n = next++;
        statuses.push((await api('POST', '/goods/create', { query: { projectId: 1 }, json: { name: `${prefix}-${n}` } })).status);
      }
    }),
  );
  return statuses;
}

async function outboxEventIds(prefix: string): Promise<string[]> {
  const { rows } = await testDb().query<{ event_id: string }>("SELECT event_id FROM goods_outbox WHERE payload->>'name' LIKE $1", [
    `${prefix}-%`,
  ]);
  return rows.map((r) => r.event_id);
}

describe('the bounded stream', () => {
  it('holds only the unacknowledged few after a normal run of 2,000 writes', async () => {
    ingest = await startIngest();
    const prefix = `normal-${randomUUID().slice(0, 8)}`;
    expect(new Set(await creates(prefix, 2_000))).toEqual(new Set([200]));
    await waitFor('every event confirmed', async () => (await outboxEventIds(prefix)).length === 0, 60_000);
    // Acknowledged messages leave a workqueue stream at once: none of the 2,000 is kept.
    await waitFor('the stream empty', async () => (await streamOnMonitor()).messages === 0, 10_000);
  }, 120_000);

  it('refuses publishes past its limit while ClickHouse is down, loses nothing, and keeps at most two copies of an event', async () => {
    // Shortened windows: the relay looks at a waiting event again after 1 s, and the stream
    // forgets a message id after 2 s; neither may put a third copy of an event in the stream.
    ingest = await startIngest({ NATS_STREAM_MAX_BYTES: String(LIMIT), NATS_DUPLICATE_WINDOW_MS: '2000', RELAY_AGAIN_AFTER_MS: '1000' });
    const prefix = `full-${randomUUID().slice(0, 8)}`;
    let largest = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        largest = Math.max(largest, (await streamOnMonitor()).bytes);
        await sleep(100);
      }
    })();

    let ids: string[];
    await services('down', 'clickhouse');
    try {
      const statuses = await creates(prefix, WRITES);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      // Every write committed its event to the outbox; the stream took what fitted.
      ids = await outboxEventIds(prefix);
      expect(ids).toHaveLength(WRITES);
      expect((await streamOnMonitor()).messages).toBeLessThan(WRITES / 2);
      await sleep(6_000); // several relay passes and duplicate windows
      const copies = [...(await copiesInStream(nats.jsm, STREAM)).values()];
      expect(copies.length).toBeGreaterThan(0);
      expect(Math.max(...copies)).toBeLessThanOrEqual(2);
    } finally {
      await services('up', 'clickhouse');
    }

    await waitFor('every event confirmed', async () => (await outboxEventIds(prefix)).length === 0, 180_000, 1_000);
    expect(await exactlyOnceReport(ch, ids)).toEqual({ present: WRITES, rows: WRITES, repeated: 0, missing: 0 });
    await waitFor('the stream empty', async () => (await streamOnMonitor()).messages === 0, 10_000);
    sampling = false;
    await sampler;
    expect(largest).toBeGreaterThan(LIMIT / 2);
    expect(largest).toBeLessThanOrEqual(LIMIT);
  }, 300_000);
});
