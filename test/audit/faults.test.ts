import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logCounts } from '../support/clickhouse.ts';
import { closeTestDb } from '../support/db.ts';
import { ROOT } from '../support/env.ts';
import { type ExtraApi, startExtraApi } from '../support/extra-api.ts';
import { type IngestProcess, startIngest } from '../support/ingest.ts';
import { resetState } from '../support/reset.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { startWriteLoad, type WriteLoad } from '../support/write-load.ts';

// Each fault strikes while writes are in flight. Whatever happens, every write the API
// acknowledged must end up in goods_log exactly once.

const services = (...args: string[]) => execFileSync('bash', [join(ROOT, 'scripts/services.sh'), ...args], { stdio: 'ignore' });

let ingest: IngestProcess | undefined;
let prefix: string;

async function expectExactlyOnce(load: WriteLoad): Promise<void> {
  expect(load.failures).toEqual([]);
  expect(load.acknowledged).toBeGreaterThan(20);
  const counts = await waitFor(
    `${load.expectedEvents} events in goods_log`,
    async () => {
      const c = await logCounts(prefix);
      return c.events >= load.expectedEvents ? c : undefined;
    },
    90_000,
    250,
  );
  // A moment more, so that a late duplicate would have time to show up.
  await sleep(1_500);
  expect(await logCounts(prefix)).toEqual({ rows: load.expectedEvents, events: load.expectedEvents });
  expect(counts.events).toBe(load.expectedEvents);
}

beforeEach(async () => {
  await resetState();
  prefix = `fault-${randomUUID().slice(0, 8)}`;
});
afterEach(async () => {
  services('up');
  await ingest?.stop();
  ingest = undefined;
});
afterAll(closeTestDb);

describe('exactly once through faults', { timeout: 150_000 }, () => {
  it('survives kill -9 of the ingest worker mid-stream and its restart', async () => {
    ingest = await startIngest();
    const load = startWriteLoad(prefix);
    await sleep(1_500);
    await ingest.kill();
    await sleep(1_500);
    ingest = await startIngest();
    await sleep(1_000);
    await load.stop();
    await expectExactlyOnce(load);
  });

  it('survives ClickHouse stopping for a while and coming back', async () => {
    ingest = await startIngest();
    const load = startWriteLoad(prefix);
    await sleep(1_000);
    services('down', 'clickhouse');
    await sleep(3_000);
    services('up', 'clickhouse');
    await sleep(1_000);
    await load.stop();
    await expectExactlyOnce(load);
    expect((await ingest.metrics()).retries).toBeGreaterThan(0);
  });

  it('survives NATS stopping for a while (writes keep answering 200) and coming back', async () => {
    ingest = await startIngest();
    const load = startWriteLoad(prefix);
    await sleep(1_000);
    services('down', 'nats');
    const before = load.acknowledged;
    await sleep(3_000);
    expect(load.acknowledged).toBeGreaterThan(before);
    services('up', 'nats');
    await sleep(1_000);
    await load.stop();
    await expectExactlyOnce(load);
  });

  it('delivers through the relay when the edge cannot publish at all', async () => {
    const deaf: ExtraApi = await startExtraApi('no-nats', 3359, { NATS_WS_URL: 'ws://127.0.0.1:9' });
    try {
      ingest = await startIngest();
      const load = startWriteLoad(prefix, { base: deaf.url });
      await sleep(2_000);
      await load.stop();
      await expectExactlyOnce(load);
      expect((await ingest.metrics()).relayPublished).toBeGreaterThanOrEqual(load.expectedEvents);
    } finally {
      await deaf.stop();
    }
  });
});
