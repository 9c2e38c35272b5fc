// ClickHouse or NATS going away under a running worker (each reached through a proxy the test can cut).
import { describe, expect, it } from 'vitest';
import type { IngestConfig } from './config.ts';
import { createLog } from '../../shared/log.ts';
import {
  consumerState,
  exactlyOnceReport,
  makeEvent,
  publishEvents,
  setUpBackends,
  testClickHouseTarget,
  waitFor,
  type Backends,
} from '../../test/support/worker/backends.ts';
import { deleteFromJetStream } from '../../test/support/jetstream-delete.ts';
import { startTcpProxy, type TcpProxy } from '../../test/support/worker/tcp-proxy.ts';
import { startIngestWorker, type IngestWorker } from './worker.ts';
import { partitionConsumer } from './pipeline.ts';

const logs: Array<Record<string, unknown>> = [];
const log = createLog({}, (line) => logs.push(JSON.parse(line)));

async function withWorker(
  proxied: 'clickhouse' | 'nats',
  overrides: Partial<IngestConfig>,
  run: (b: Backends, worker: IngestWorker, proxy: TcpProxy) => Promise<void>,
): Promise<void> {
  const b = await setUpBackends({ batchSize: 100, batchMs: 100, ...overrides });
  const target = proxied === 'clickhouse' ? b.config.clickhouse.url : b.config.nats.servers[0]!;
  const proxy = await startTcpProxy(Number(new URL(target).port));
  const config: IngestConfig =
    proxied === 'clickhouse'
      ? { ...b.config, clickhouse: { ...b.config.clickhouse, ...overrides.clickhouse, url: `http://127.0.0.1:${proxy.port}` } }
      : { ...b.config, nats: { ...b.config.nats, servers: [`nats://127.0.0.1:${proxy.port}`] } };
  const worker = await startIngestWorker(config, log);
  try {
    await run(b, worker, proxy);
  } finally {
    proxy.setDown(false);
    await worker.stop();
    await proxy.close();
    await b.close();
  }
}

const ids = (events: { eventId: string }[]) => events.map((e) => e.eventId);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('outages', { timeout: 60_000 }, () => {
  it('ClickHouse down: holds the batch unacked, backs off, and writes it once when ClickHouse returns', async () => {
    await withWorker('clickhouse', { ackWaitMs: 1500 }, async (b, worker, proxy) => {
      const warmUp = Array.from({ length: 10 }, () => makeEvent());
      await publishEvents(b.nc, b.config, warmUp);
      await waitFor('warm-up inserted', () => worker.metrics.eventsInserted === 10);

      proxy.setDown(true);
      const events = Array.from({ length: 500 }, () => makeEvent());
      await publishEvents(b.nc, b.config, events);
      await sleep(4000); // longer than ack_wait: working() must keep the held messages from redelivery

      expect(worker.metrics.eventsInserted).toBe(10);
      expect(worker.metrics.retries).toBeGreaterThanOrEqual(3);
      expect(worker.metrics.retries).toBeLessThanOrEqual(8); // 200 ms doubling: waiting, not spinning
      const held = await consumerState(b.jsm, b.config);
      // Delivered and held unacked, at most three batches (max_ack_pending); the rest waits in the stream.
      expect(held.redelivered).toBe(0);
      expect(held.ackPending).toBeGreaterThanOrEqual(100);
      expect(held.ackPending).toBeLessThanOrEqual(300);
      expect(held.ackPending + held.pending).toBe(500);
      expect(logs.some((l) => l.msg === 'clickhouse_retry')).toBe(true);

      proxy.setDown(false);
      await waitFor('all events in goods_log', async () => (await exactlyOnceReport(b.ch, ids(events))).present === 500, 30_000);
      await waitFor('consumer drained', async () => {
        const s = await consumerState(b.jsm, b.config);
        return s.pending === 0 && s.ackPending === 0;
      });
      expect(await exactlyOnceReport(b.ch, ids(events))).toEqual({ present: 500, rows: 500, repeated: 0, missing: 0 });
      expect(worker.metrics.eventsInserted).toBe(510);
    });
  });

  it('an INSERT that outlives its client timeout and then commits: the batch is stored once', async () => {
    const clickhouse = { ...testClickHouseTarget(), requestTimeoutMs: 1_000 };
    await withWorker('clickhouse', { clickhouse }, async (b, worker, proxy) => {
      // The INSERT reaches ClickHouse in part, the rest 3 s later: ClickHouse is still running it
      // when the worker's request times out, and commits it after the worker retried.
      proxy.holdRequestTail(`query_id=${b.config.pipeline}-insert-`, 3_000);
      const events = Array.from({ length: 50 }, () => makeEvent());
      await publishEvents(b.nc, b.config, events);
      await waitFor('the batch confirmed', () => worker.metrics.batches >= 1, 30_000);
      expect(proxy.held).toBe(1);
      expect(worker.metrics.retries).toBeGreaterThanOrEqual(1);
      expect(await exactlyOnceReport(b.ch, ids(events))).toEqual({ present: 50, rows: 50, repeated: 0, missing: 0 });
    });
  });

  it('NATS connection lost: reconnects and continues where it stopped', async () => {
    await withWorker('nats', {}, async (b, worker, proxy) => {
      const warmUp = Array.from({ length: 10 }, () => makeEvent());
      await publishEvents(b.nc, b.config, warmUp);
      await waitFor('warm-up inserted', () => worker.metrics.eventsInserted === 10);

      proxy.setDown(true);
      const events = Array.from({ length: 500 }, () => makeEvent());
      await publishEvents(b.nc, b.config, events); // straight to NATS, the worker is cut off
      await sleep(2500);
      expect(worker.metrics.eventsInserted).toBe(10);

      proxy.setDown(false);
      await waitFor('all events in goods_log', async () => (await exactlyOnceReport(b.ch, ids(events))).present === 500, 40_000);
      expect(await exactlyOnceReport(b.ch, ids(events))).toEqual({ present: 500, rows: 500, repeated: 0, missing: 0 });
      expect(logs.some((l) => l.msg === 'nats_reconnect')).toBe(true);
    });
  });

  it('consumer deleted under the worker: recreated at once, nothing lost or doubled', async () => {
    await withWorker('nats', {}, async (b, worker) => {
      const first = [makeEvent()];
      await publishEvents(b.nc, b.config, first);
      await waitFor('first event inserted', () => worker.metrics.eventsInserted === 1);

      await deleteFromJetStream('the consumer', () => b.jsm.consumers.delete(b.config.stream, partitionConsumer(b.config.consumer, 0)));
      const events = Array.from({ length: 50 }, () => makeEvent());
      await publishEvents(b.nc, b.config, events);
      // Well before the client's own heartbeat timeout (about 30 s).
      await waitFor('events after the deletion inserted', () => worker.metrics.eventsInserted === 51, 10_000);
      // The first event was acknowledged and left the stream (workqueue): the new consumer does not see it again.
      expect(worker.metrics.duplicatesSkipped).toBe(0);
      await waitFor('the stream empty', async () => (await b.jsm.streams.info(b.config.stream)).state.messages === 0);
      expect(await exactlyOnceReport(b.ch, ids([...first, ...events]))).toEqual({ present: 51, rows: 51, repeated: 0, missing: 0 });
      expect(logs.some((l) => l.msg === 'consumer_status' && l.status === 'consumer_deleted')).toBe(true);
    });
  });
});
