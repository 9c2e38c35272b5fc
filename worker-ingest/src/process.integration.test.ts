// The worker as its own process (tsx main.ts): kill -9 and restart, SIGTERM.
import { describe, expect, it } from 'vitest';
import {
  consumerState,
  exactlyOnceReport,
  makeEvent,
  publishEvents,
  withBackends,
  waitFor,
  type Backends,
} from '../../test/support/worker/backends.ts';
import { type ChildWorker, spawnWorker } from '../../test/support/worker/child-worker.ts';
import { startTcpProxy } from '../../test/support/worker/tcp-proxy.ts';

/**
 * A fresh worker process after a kill: every event reaches goods_log exactly once and the consumer
 * drains; `whenDrained` checks the new process before it is stopped.
 */
async function restartDeliversAll(b: Backends, ids: string[], whenDrained?: (worker: ChildWorker) => Promise<void>) {
  const worker = await spawnWorker(b.config);
  try {
    await waitFor('all events in goods_log', async () => (await exactlyOnceReport(b.ch, ids)).present === ids.length);
    await waitFor('consumer drained', async () => {
      const s = await consumerState(b.jsm, b.config);
      return s.pending === 0 && s.ackPending === 0;
    });
    await whenDrained?.(worker);
    expect(await exactlyOnceReport(b.ch, ids)).toEqual({ present: ids.length, rows: ids.length, repeated: 0, missing: 0 });
  } finally {
    worker.process.kill('SIGTERM');
    await worker.exited;
  }
}

describe('worker process', { timeout: 90_000 }, () => {
  it('kill -9 after ClickHouse stored a batch but before the ack, then a restart: every event once', async () => {
    await withBackends({ batchSize: 200, batchMs: 200, ackWaitMs: 2000 }, async (b) => {
      const events = Array.from({ length: 3000 }, () => makeEvent());
      const ids = events.map((e) => e.eventId);
      await publishEvents(b.nc, b.config, events);

      // The first worker reaches ClickHouse through a proxy that can swallow an INSERT's answer.
      const chPort = Number(new URL(b.config.clickhouse.url).port);
      const proxy = await startTcpProxy(chPort);
      const first = await spawnWorker({ ...b.config, clickhouse: { ...b.config.clickhouse, url: `http://127.0.0.1:${proxy.port}` } });
      try {
        await waitFor('a few batches in', async () => (await first.metrics()).eventsInserted >= 1000, 30_000, 20);
        proxy.swallowAnswersAfter('INSERT');
        // The swallowed INSERT is in ClickHouse while the worker still waits for its answer: it has
        // neither counted nor acked those rows.
        await waitFor('swallowed batch stored', async () => {
          if (!proxy.swallowed) return false;
          const present = (await exactlyOnceReport(b.ch, ids)).present;
          return present > (await first.metrics()).eventsInserted;
        });
        first.process.kill('SIGKILL');
        expect(await first.exited).toBe('SIGKILL');
      } finally {
        first.process.kill('SIGKILL');
        await proxy.close();
      }
      const atKill = await exactlyOnceReport(b.ch, ids);
      expect(atKill.present).toBeLessThan(events.length);
      expect(atKill.repeated).toBe(0);

      // The redelivered copies of the stored batch are recognised and skipped.
      await restartDeliversAll(b, ids, async (second) => expect((await second.metrics()).duplicatesSkipped).toBeGreaterThan(0));
    });
  });

  it('kill -9 at an arbitrary point while streaming, then a restart: every event once', async () => {
    await withBackends({ batchSize: 100, batchMs: 100, ackWaitMs: 2000 }, async (b) => {
      const events = Array.from({ length: 5000 }, () => makeEvent());
      const ids = events.map((e) => e.eventId);
      await publishEvents(b.nc, b.config, events);

      const first = await spawnWorker(b.config);
      await waitFor('part of the stream in', async () => (await first.metrics()).eventsInserted >= 1500, 30_000, 5);
      first.process.kill('SIGKILL');
      await first.exited;
      expect((await exactlyOnceReport(b.ch, ids)).present).toBeLessThan(events.length);

      await restartDeliversAll(b, ids);
    });
  });

  it('SIGTERM writes and acks the batch being collected, then exits 0', async () => {
    // Neither size nor time would close the batch during the test: only the shutdown does.
    await withBackends({ batchSize: 100_000, batchMs: 600_000, ackWaitMs: 60_000 }, async (b) => {
      const worker = await spawnWorker(b.config);
      const events = Array.from({ length: 50 }, () => makeEvent());
      await publishEvents(b.nc, b.config, events);
      await waitFor('events held by the worker', async () => (await worker.metrics()).held === events.length);
      expect(
        (
          await exactlyOnceReport(
            b.ch,
            events.map((e) => e.eventId),
          )
        ).present,
      ).toBe(0);

      worker.process.kill('SIGTERM');
      expect(await worker.exited).toBe(0);

      expect(
        await exactlyOnceReport(
          b.ch,
          events.map((e) => e.eventId),
        ),
      ).toEqual({ present: 50, rows: 50, repeated: 0, missing: 0 });
      expect(await consumerState(b.jsm, b.config)).toMatchObject({ pending: 0, ackPending: 0 });
      expect(worker.logs.find((l) => l.msg === 'batch')).toMatchObject({ size: 50, inserted: 50, duplicates: 0 });
      expect(worker.logs.at(-1)).toMatchObject({ msg: 'stopped' });
    });
  });
});
