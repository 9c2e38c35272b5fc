import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { closeTestDb } from '../support/db.ts';
import { type ExtraApi, startExtraApi } from '../support/extra-api.ts';
import { type IngestProcess, startIngest } from '../support/ingest.ts';
import { resetState } from '../support/reset.ts';
import { services, whileDown } from '../support/services.ts';
import { sleep } from '../support/wait.ts';
import { type Load, startLoad } from '../support/load.ts';

// Each fault strikes while writes are in flight. Whatever happens, every write the API
// acknowledged must end up in goods_log exactly once.

let ingest: IngestProcess | undefined;
let prefix: string;

async function expectEveryWriteLoggedOnce(load: Load): Promise<void> {
  expect(load.failures).toEqual([]);
  expect(load.acknowledged).toBeGreaterThan(20);
  await expectExactlyOnce(prefix, load.expectedEvents);
}

beforeEach(async () => {
  await resetState();
  prefix = `fault-${randomUUID().slice(0, 8)}`;
});
afterEach(async () => {
  try {
    await services('up');
  } finally {
    await ingest?.stop();
    ingest = undefined;
  }
});
afterAll(closeTestDb);

describe('exactly once through faults', { timeout: 150_000 }, () => {
  it('survives kill -9 of the ingest worker mid-stream and its restart', async () => {
    ingest = await startIngest();
    const load = startLoad(prefix);
    await sleep(1_500);
    await ingest.kill();
    await sleep(1_500);
    ingest = await startIngest();
    await sleep(1_000);
    await load.stop();
    await expectEveryWriteLoggedOnce(load);
  });

  it('survives ClickHouse stopping for a while and coming back', async () => {
    ingest = await startIngest();
    const load = startLoad(prefix);
    await sleep(1_000);
    await whileDown('clickhouse', () => sleep(3_000));
    await sleep(1_000);
    await load.stop();
    await expectEveryWriteLoggedOnce(load);
    expect((await ingest.metrics()).retries).toBeGreaterThan(0);
  });

  it('survives NATS stopping for a while (writes keep answering 200) and coming back', async () => {
    ingest = await startIngest();
    const load = startLoad(prefix);
    await sleep(1_000);
    await whileDown('nats', async () => {
      const before = load.acknowledged;
      await sleep(3_000);
      expect(load.acknowledged).toBeGreaterThan(before);
    });
    await sleep(1_000);
    await load.stop();
    await expectEveryWriteLoggedOnce(load);
  });

  it('delivers through the relay when the edge cannot publish at all', async () => {
    const deaf: ExtraApi = await startExtraApi(3359, { NATS_WS_URL: 'ws://127.0.0.1:9' });
    try {
      ingest = await startIngest();
      const load = startLoad(prefix, { base: deaf.url });
      await sleep(2_000);
      await load.stop();
      await expectEveryWriteLoggedOnce(load);
      // Every event above came through the relay, the edge could not publish: its rows are one per
      // event, or one per part of a reprioritize (up to 100 events).
      expect((await ingest.metrics()).relayPublished).toBeGreaterThanOrEqual(load.expectedEvents / 100);
    } finally {
      await deaf.stop();
    }
  });
});
