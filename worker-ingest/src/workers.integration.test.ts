// Several worker processes on one stream (tsx main.ts each): they share the load, and a kill -9,
// a restart or a worker added mid-stream neither loses nor repeats a row of goods_log, counted
// in every row ever inserted (the insert log's materialized view), not after merges.
import { createLog } from '../../shared/log.ts';
import { describe, expect, it } from 'vitest';
import { ensureStream, streamSettingsOf } from './nats.ts';
import { consumerState, exactlyOnceReport, makeEvent, publishEvents, setUpBackends, waitFor } from '../../test/support/worker/backends.ts';
import { type ChildWorker, spawnWorker } from '../../test/support/worker/child-worker.ts';

const ROUNDS = 10;
const PER_ROUND = 600;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a worker inserted, from its log lines: also readable after a kill. */
const insertedBy = (worker: ChildWorker) =>
  worker.logs.filter((line) => line.msg === 'batch').reduce((sum, line) => sum + Number(line.inserted), 0);

describe('several workers', { timeout: 120_000 }, () => {
  it('two, then three, with one killed mid-batch and restarted, under a steady load: every event once, work shared', async () => {
    const b = await setUpBackends({ batchSize: 50, batchMs: 50, ackWaitMs: 2000 });
    const workers: ChildWorker[] = [];
    try {
      await ensureStream(b.jsm, streamSettingsOf(b.config), createLog());
      workers.push(await spawnWorker(b.config), await spawnWorker(b.config));
      const ids: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const events = Array.from({ length: PER_ROUND }, () => makeEvent());
        ids.push(...events.map((e) => e.eventId));
        // Each event twice, under two message ids (a re-publish past JetStream's duplicate window),
        // the copies in reverse order right behind: the last events' two copies go to different
        // workers at the same moment.
        await publishEvents(b.nc, b.config, events);
        await publishEvents(b.nc, b.config, [...events].reverse(), (e) => `${e.eventId}-again`);
        if (round === 3) workers.push(await spawnWorker(b.config));
        if (round === 5) {
          const victim = workers[0]!;
          await waitFor('a batch held by the first worker', async () => (await victim.metrics()).held > 0, 10_000, 5);
          victim.process.kill('SIGKILL');
          expect(await victim.exited).toBe('SIGKILL');
        }
        if (round === 7) workers.push(await spawnWorker(b.config));
        await sleep(200);
      }

      await waitFor('all events in goods_log', async () => (await exactlyOnceReport(b.ch, ids)).present === ids.length, 60_000);
      await waitFor(
        'consumer drained',
        async () => {
          const s = await consumerState(b.jsm, b.config);
          return s.pending === 0 && s.ackPending === 0;
        },
        30_000,
      );
      expect(await exactlyOnceReport(b.ch, ids)).toEqual({ present: ids.length, rows: ids.length, repeated: 0, missing: 0 });
      // Each of the four processes (the killed one too, before its kill) stored some of it.
      for (const worker of workers) expect(insertedBy(worker)).toBeGreaterThan(0);
    } finally {
      for (const worker of workers) worker.process.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      await b.close();
    }
  });
});
