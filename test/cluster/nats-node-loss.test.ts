// NATS nodes killed with kill -9 while writes are in flight, on the cluster stack (three nodes,
// the stream with three replicas): every write answers 200, every acknowledged event is logged
// exactly once (counted over every replica's insert log), and every replica holds all of them.
import { useFaultTest } from '../support/fault-test.ts';
import { describe, expect, it } from 'vitest';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { startIngest } from '../support/ingest.ts';
import { type Load, startLoad } from '../support/load.ts';
import { whileKilled } from '../support/services.ts';
import { suiteJetStream } from '../support/stream.ts';
import { waitFor } from '../support/wait.ts';
import { expectEveryReplicaHolds, nodeServing, streamLeader } from '../support/cluster.ts';

const t = useFaultTest('cluster-nats');

const batches = async () => (await t.ingest!.metrics()).batches ?? 0;

/** Waits until the worker has stored `more` batches after now. */
async function moreBatches(what: string, more = 3): Promise<void> {
  const before = await batches();
  await waitFor(what, async () => (await batches()) >= before + more, 60_000, 100);
}

/** Waits until the load has `more` writes acknowledged after now. */
async function moreWrites(load: Load, more = 20): Promise<void> {
  const before = load.acknowledged;
  await waitFor(`${more} more writes answered`, async () => load.acknowledged >= before + more, 30_000, 50);
}

async function expectLoggedOnceEverywhere(load: Load): Promise<void> {
  expect(load.failures).toEqual([]);
  expect(load.acknowledged).toBeGreaterThan(20);
  await expectExactlyOnce(t.prefix, load.expectedEvents);
  await expectEveryReplicaHolds(t.prefix, load.expectedEvents);
}

describe('a NATS node lost under writes', { timeout: 150_000 }, () => {
  it('kill -9 of the stream leader, then its restart: every write 200, every event logged once', async () => {
    t.ingest = await startIngest();
    const load = startLoad(t.prefix);
    const { nc, jsm } = await suiteJetStream();
    try {
      await moreBatches('batches stored');
      const leader = await streamLeader(jsm);
      await whileKilled(`nats${leader}`, async () => {
        // Right after the kill the stream has no leader and its API calls fail: wait for the election.
        const elected = await waitFor('a new stream leader', () => streamLeader(jsm), 30_000, 200);
        expect(elected).not.toBe(leader);
        await moreWrites(load);
        await moreBatches('the worker storing batches with the old leader down');
      });
      await moreWrites(load);
      await moreBatches('the worker storing batches after the restart');
    } finally {
      await nc.close();
    }
    await load.stop();
    await expectLoggedOnceEverywhere(load);
  });

  it('kill -9 of the node the worker reads from: it resumes its consumer through another', async () => {
    t.ingest = await startIngest();
    const load = startLoad(t.prefix);
    await moreBatches('batches stored');
    const node = await waitFor('the worker on a node', () => nodeServing('goods-ingest'), 10_000);
    await whileKilled(`nats${node}`, async () => {
      await moreBatches('the worker storing batches through another node');
      expect(await nodeServing('goods-ingest')).not.toBe(node);
      await moreWrites(load);
    });
    await moreWrites(load);
    await load.stop();
    await expectLoggedOnceEverywhere(load);
  });
});
