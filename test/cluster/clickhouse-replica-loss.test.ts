// A ClickHouse replica stopped during ingest, on the cluster stack (two replicas of goods_log on
// ZooKeeper): the worker moves its INSERTs to the other replica, the edge's history reads answer
// from it, and after its restart the stopped replica catches up to the same rows.
import { useFaultTest } from '../support/fault-test.ts';
import { describe, expect, it } from 'vitest';
import { api } from '../support/api.ts';
import { expectEveryReplicaHolds, replicaRowsOn } from '../support/cluster.ts';
import { CLICKHOUSE_REPLICAS } from '../support/clickhouse.ts';
import { createProject } from '../support/db.ts';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { startIngest } from '../support/ingest.ts';
import { startLoad } from '../support/load.ts';
import { whileDown } from '../support/services.ts';
import { waitFor } from '../support/wait.ts';

const [first, second] = CLICKHOUSE_REPLICAS as [string, string];
const t = useFaultTest('cluster-ch');

describe('a ClickHouse replica lost during ingest', { timeout: 150_000 }, () => {
  it('inserts go on through the other replica, reads too, and the stopped one catches up', async () => {
    // A good of a project of its own, which the load's updates and removes (project 1) never touch.
    const project = await createProject(t.prefix);
    const created = await api<{ id: number }>('POST', '/goods/create', {
      query: { projectId: project },
      json: { name: `${t.prefix}-read` },
    });
    expect(created.status).toBe(200);
    const history = () =>
      api<{ history: { name: string; kind: string }[] }>('GET', '/goods/history', { query: { id: created.body.id, projectId: project } });
    // Priorities are one order over the catalogue: the load's reprioritizes move this good too, so
    // its newest entries may be moves; each carries its name.
    const logged = (entries: { name: string; kind: string }[]) => entries.some((e) => e.name === `${t.prefix}-read`);

    t.ingest = await startIngest();
    const load = startLoad(t.prefix);
    // The worker writes to the first replica of CLICKHOUSE_URL while it answers.
    await waitFor('rows inserted on the first replica', async () => (await replicaRowsOn(t.prefix, first)).inserted > 0, 30_000, 100);
    await waitFor('the created good in its history', async () => logged((await history()).body.history), 30_000, 100);
    // Replication is asynchronous: a part the first replica stored and the second has not fetched is
    // out of reach while the first is down. The good's row must have reached the second first.
    await waitFor('the good on the second replica', async () => (await replicaRowsOn(`${t.prefix}-read`, second)).stored > 0, 30_000, 100);

    await whileDown('clickhouse1', async () => {
      const before = await replicaRowsOn(t.prefix, second);
      await waitFor(
        'rows inserted on the second replica',
        async () => (await replicaRowsOn(t.prefix, second)).inserted > before.inserted,
        30_000,
        100,
      );
      const read = await history();
      expect(read.status).toBe(200);
      expect(logged(read.body.history)).toBe(true);
    });
    const onSecond = (await replicaRowsOn(t.prefix, second)).inserted;
    await waitFor('inserts after the restart', async () => (await replicaRowsOn(t.prefix, second)).inserted > onSecond, 30_000, 100);
    await load.stop();

    expect(load.failures).toEqual([]);
    await expectExactlyOnce(t.prefix, load.expectedEvents + 1);
    await expectEveryReplicaHolds(t.prefix, load.expectedEvents + 1);
    expect((await t.ingest.metrics()).retries).toBeGreaterThan(0);
  });
});
