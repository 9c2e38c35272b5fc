import { useFaultTest } from '../support/fault-test.ts';
import { describe, expect, it } from 'vitest';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { type ExtraApi, startExtraApi } from '../support/extra-api.ts';
import { startIngest } from '../support/ingest.ts';
import { whileDown, whileFrozen } from '../support/services.ts';
import { testEnv } from '../support/env.ts';
import { suiteJetStream } from '../support/stream.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { type Load, startLoad } from '../support/load.ts';
import { partitionConsumer } from '../../worker-ingest/src/pipeline.ts';

// Each fault strikes while writes are in flight. Whatever happens, every write the API
// acknowledged must end up in goods_log exactly once.

async function expectEveryWriteLoggedOnce(load: Load): Promise<void> {
  expect(load.failures).toEqual([]);
  expect(load.acknowledged).toBeGreaterThan(20);
  await expectExactlyOnce(t.prefix, load.expectedEvents);
}

const t = useFaultTest('fault');

describe('exactly once through faults', { timeout: 150_000 }, () => {
  it('survives kill -9 of the ingest worker in the middle of an INSERT, and its restart', async () => {
    const first = await startIngest();
    t.ingest = first;
    const load = startLoad(t.prefix);
    const { nc, jsm } = await suiteJetStream();
    const ackPending = async () =>
      (await jsm.consumers.info(testEnv.NATS_STREAM!, partitionConsumer(testEnv.INGEST_CONSUMER!, 0))).num_ack_pending;
    try {
      await waitFor('batches stored', async () => ((await first.metrics()).batches ?? 0) > 0, 20_000);
      // With ClickHouse frozen the worker's INSERT hangs, so its batch cannot be acknowledged: the
      // kill lands on delivered, unacknowledged work. The INSERT may still complete after the thaw.
      await whileFrozen('clickhouse', async () => {
        await sleep(300); // an INSERT that finished just before the freeze has its ack sent
        await waitFor('a batch delivered to the worker and not yet acknowledged', async () => (await ackPending()) > 0, 10_000);
        await first.kill();
        expect(await ackPending()).toBeGreaterThan(0);
      });
      t.ingest = await startIngest();
      const restarted = t.ingest;
      await waitFor('the restarted worker storing batches', async () => ((await restarted.metrics()).batches ?? 0) > 0, 30_000);
    } finally {
      await nc.close();
    }
    await load.stop();
    await expectEveryWriteLoggedOnce(load);
  });

  it('survives ClickHouse stopping for a while and coming back', async () => {
    t.ingest = await startIngest();
    const load = startLoad(t.prefix);
    await sleep(1_000);
    await whileDown('clickhouse', () => sleep(3_000));
    await sleep(1_000);
    await load.stop();
    await expectEveryWriteLoggedOnce(load);
    expect((await t.ingest.metrics()).retries).toBeGreaterThan(0);
  });

  it('survives NATS stopping for a while (writes keep answering 200) and coming back', async () => {
    t.ingest = await startIngest();
    const load = startLoad(t.prefix);
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
      t.ingest = await startIngest();
      const load = startLoad(t.prefix, { base: deaf.url });
      await sleep(2_000);
      await load.stop();
      await expectEveryWriteLoggedOnce(load);
      // Every event above came through the relay, the edge could not publish: its rows are one per
      // event, or one per part of a reprioritize (up to 100 events).
      expect((await t.ingest.metrics()).relayPublished).toBeGreaterThanOrEqual(load.expectedEvents / 100);
    } finally {
      await deaf.stop();
    }
  });
});
