import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeStats } from '../support/api.ts';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { closeTestDb } from '../support/db.ts';
import { useIngestWorker } from '../support/ingest.ts';
import { serverSessionCap, serverSessions, testPool } from '../support/pooler.ts';
import { loadReport, startLoad } from '../support/load.ts';
import { resetState } from '../support/reset.ts';
import { sleep, waitFor } from '../support/wait.ts';

// Sustained mixed load on loopback, bounded in time and count. LOAD_SECONDS (default 10 in
// `npm test`, 60 in `npm run test:load`), LOAD_CLIENTS (default 16).
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 16);
const MAX_REQUESTS = 500_000;

const ingest = useIngestWorker();

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

beforeAll(resetState);
afterAll(closeTestDb);

describe('sustained load', () => {
  it(
    `${CLIENTS} clients for ${SECONDS} s: no 5xx, no leaked connections, stable worker, every write logged once`,
    async () => {
      const prefix = `load-${randomUUID().slice(0, 8)}`;
      const load = startLoad(prefix, { clients: CLIENTS, listShare: 0.5, maxRequests: MAX_REQUESTS });
      await sleep(Math.min(3, SECONDS / 3) * 1000);
      const rssWarm = rssMiB(ingest().child.process.pid!);
      await sleep(SECONDS * 1000 - Math.min(3, SECONDS / 3) * 1000);
      await load.stop();
      const seconds = (Date.now() - load.started) / 1000;
      console.log(`\nload: ${CLIENTS} clients, ${seconds.toFixed(1)} s\n${loadReport(load, seconds)}`);

      expect(load.failures.slice(0, 5)).toEqual([]);
      expect([...load.statuses.keys()].filter((s) => s >= 500)).toEqual([]);

      await expectExactlyOnce(prefix, load.expectedEvents, 120_000);

      await waitFor('the API connections to close', async () => (await bridgeStats()).postgres.openConnections === 0, 15_000);
      // Nothing queues at the pooler, and it kept to its few server sessions throughout.
      const pool = await testPool();
      expect(pool.cl_waiting).toBe(0);
      expect(serverSessions(pool)).toBeLessThanOrEqual(await serverSessionCap());
      const rssEnd = rssMiB(ingest().child.process.pid!);
      console.log(`ingest worker RSS: ${rssWarm.toFixed(0)} MiB after warm-up, ${rssEnd.toFixed(0)} MiB at the end`);
      expect(rssEnd - rssWarm).toBeLessThan(150);
    },
    (SECONDS + 180) * 1000,
  );
});
