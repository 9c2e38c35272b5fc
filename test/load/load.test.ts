import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeStats } from '../support/api.ts';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { closeTestDb } from '../support/db.ts';
import { testEnv } from '../support/env.ts';
import { useIngestWorker } from '../support/ingest.ts';
import { connectInspector, liveHeapMiB } from '../support/inspector.ts';
import { serverSessionCap, serverSessions, testPool } from '../support/pooler.ts';
import { loadReport, startLoad } from '../support/load.ts';
import { resetState } from '../support/reset.ts';
import { sleep, waitFor } from '../support/wait.ts';

// Sustained mixed load on loopback, bounded in time and count. LOAD_SECONDS (default 10 in
// `npm test`, 60 in `npm run test:load`), LOAD_CLIENTS (default 16).
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 16);
const MAX_REQUESTS = 500_000;

// The worker's heap is read through its inspector: what is still reachable after a full
// collection, so garbage not yet collected does not count, and anything kept per event does.
useIngestWorker({ NODE_OPTIONS: `--inspect=127.0.0.1:${testEnv.INGEST_INSPECTOR_PORT}` });
/** More than a batch's worth of transient state, far less than anything kept per event of the run. */
const HEAP_GROWTH_MIB = 8;

beforeAll(resetState);
afterAll(closeTestDb);

describe('sustained load', () => {
  it(
    `${CLIENTS} clients for ${SECONDS} s: no 5xx, no leaked connections, stable worker, every write logged once`,
    async () => {
      const prefix = `load-${randomUUID().slice(0, 8)}`;
      const inspector = await connectInspector(Number(testEnv.INGEST_INSPECTOR_PORT));
      const load = startLoad(prefix, { clients: CLIENTS, listShare: 0.5, maxRequests: MAX_REQUESTS });
      const cap = await serverSessionCap();
      // The pooler, sampled while the load runs: never more server sessions than its cap.
      const sessions: number[] = [];
      const sampling = (async () => {
        while (Date.now() - load.started < SECONDS * 1000) {
          sessions.push(serverSessions(await testPool()));
          await sleep(250);
        }
      })();
      await sleep(Math.min(3, SECONDS / 3) * 1000);
      const heapWarm = await liveHeapMiB(inspector);
      await sampling;
      await load.stop();
      const seconds = (Date.now() - load.started) / 1000;
      console.log(`\nload: ${CLIENTS} clients, ${seconds.toFixed(1)} s\n${loadReport(load, seconds)}`);

      expect(load.failures.slice(0, 5)).toEqual([]);
      expect([...load.statuses.keys()].filter((s) => s >= 500)).toEqual([]);

      await expectExactlyOnce(prefix, load.expectedEvents, 120_000);

      await waitFor('the API connections to close', async () => (await bridgeStats()).postgres.openConnections === 0, 15_000);
      expect(sessions.length).toBeGreaterThan(SECONDS);
      expect(Math.max(...sessions)).toBeLessThanOrEqual(cap);
      // Nothing is left queued at the pooler.
      expect((await testPool()).cl_waiting).toBe(0);
      const heapEnd = await liveHeapMiB(inspector);
      inspector.close();
      console.log(`ingest worker live heap: ${heapWarm.toFixed(1)} MiB after warm-up, ${heapEnd.toFixed(1)} MiB after the drain`);
      expect(heapEnd - heapWarm).toBeLessThan(HEAP_GROWTH_MIB);
    },
    (SECONDS + 180) * 1000,
  );
});
