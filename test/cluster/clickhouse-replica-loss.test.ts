// A ClickHouse replica stopped during ingest, on the cluster stack (two replicas of goods_log on
// ZooKeeper): the worker moves its INSERTs to the other replica, the edge's history reads answer
// from it, and after its restart the stopped replica catches up to the same rows.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api } from '../support/api.ts';
import { expectEveryReplicaHolds, replicaRowsOn } from '../support/cluster.ts';
import { CLICKHOUSE_REPLICAS } from '../support/clickhouse.ts';
import { closeTestDb, createProject } from '../support/db.ts';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { type IngestProcess, startIngest } from '../support/ingest.ts';
import { startLoad } from '../support/load.ts';
import { resetState } from '../support/reset.ts';
import { services, whileDown } from '../support/services.ts';
import { waitFor } from '../support/wait.ts';

const [first, second] = CLICKHOUSE_REPLICAS as [string, string];
let ingest: IngestProcess | undefined;
let prefix: string;

beforeEach(async () => {
  await resetState();
  prefix = `cluster-ch-${randomUUID().slice(0, 8)}`;
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

describe('a ClickHouse replica lost during ingest', { timeout: 150_000 }, () => {
  it('inserts go on through the other replica, reads too, and the stopped one catches up', async () => {
    // A good of a project of its own, which the load's updates and removes (project 1) never touch.
    const project = await createProject(prefix);
    const created = await api<{ id: number }>('POST', '/goods/create', { query: { projectId: project }, json: { name: `${prefix}-read` } });
    expect(created.status).toBe(200);
    const history = () =>
      api<{ history: { name: string; kind: string }[] }>('GET', '/goods/history', { query: { id: created.body.id, projectId: project } });
    // Priorities are one order over the catalogue: the load's reprioritizes move this good too, so
    // its newest entries may be moves; each carries its name.
    const logged = (entries: { name: string; kind: string }[]) => entries.some((e) => e.name === `${prefix}-read`);

    ingest = await startIngest();
    const load = startLoad(prefix);
    // The worker writes to the first replica of CLICKHOUSE_URL while it answers.
    await waitFor('rows inserted on the first replica', async () => (await replicaRowsOn(prefix, first)).inserted > 0, 30_000, 100);
    await waitFor('the created good in its history', async () => logged((await history()).body.history), 30_000, 100);
    // Replication is asynchronous: a part the first replica stored and the second has not fetched is
    // out of reach while the first is down. The good's row must have reached the second first.
    await waitFor('the good on the second replica', async () => (await replicaRowsOn(`${prefix}-read`, second)).stored > 0, 30_000, 100);

    await whileDown('clickhouse1', async () => {
      const before = await replicaRowsOn(prefix, second);
      await waitFor(
        'rows inserted on the second replica',
        async () => (await replicaRowsOn(prefix, second)).inserted > before.inserted,
        30_000,
        100,
      );
      const read = await history();
      expect(read.status).toBe(200);
      expect(logged(read.body.history)).toBe(true);
    });
    const onSecond = (await replicaRowsOn(prefix, second)).inserted;
    await waitFor('inserts after the restart', async () => (await replicaRowsOn(prefix, second)).inserted > onSecond, 30_000, 100);
    await load.stop();

    expect(load.failures).toEqual([]);
    await expectExactlyOnce(prefix, load.expectedEvents + 1);
    await expectEveryReplicaHolds(prefix, load.expectedEvents + 1);
    expect((await ingest.metrics()).retries).toBeGreaterThan(0);
  });
});
