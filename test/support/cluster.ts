// What the node-loss tests (test/cluster) look at on the cluster stack: which NATS node leads the
// stream or serves a connection, and what each ClickHouse replica holds.
import type { JetStreamManager } from '@nats-io/jetstream';
import { expect } from 'vitest';
import { CLICKHOUSE_REPLICAS, chQuery } from './clickhouse.ts';
import { testEnv } from './env.ts';
import { INSERT_LOG } from './exactly-once.ts';
import { waitFor } from './wait.ts';

export const NATS_NODES = [1, 2, 3] as const;

/** The monitoring URL of NATS node `n` (scripts/lib/cluster-services.sh: base port + 10 × (n − 1)). */
const monitor = (n: number) => `http://127.0.0.1:${Number(testEnv.NATS_MONITOR_PORT) + 10 * (n - 1)}`;

/** The node (1, 2, 3) that leads `stream` now; throws while it has no leader (right after a kill). */
export async function streamLeader(jsm: JetStreamManager, stream = testEnv.NATS_STREAM!): Promise<number> {
  const leader = (await jsm.streams.info(stream)).cluster?.leader;
  const node = /^goods-nats-(\d)$/.exec(leader ?? '')?.[1];
  if (!node) throw new Error(`stream ${stream} has no leader (${leader})`);
  return Number(node);
}

/** The node a client connection named `name` is attached to, or undefined. */
export async function nodeServing(name: string): Promise<number | undefined> {
  for (const n of NATS_NODES) {
    const connz = await fetch(`${monitor(n)}/connz`).then(
      (r) => r.json() as Promise<{ connections?: { name?: string }[] }>,
      () => undefined,
    );
    if (connz?.connections?.some((c) => c.name === name)) return n;
  }
  return undefined;
}

const quoted = (prefix: string) => `'${prefix.replace(/'/g, '')}'`;

/** Rows of goods named `prefix…` in the goods_log of replica `server`, and rows its own INSERTs stored (its insert log). */
export async function replicaRowsOn(prefix: string, server: string): Promise<{ stored: number; inserted: number }> {
  const where = `WHERE startsWith(Name, ${quoted(prefix)})`;
  const [stored] = await chQuery<{ n: number }>(`SELECT count() AS n FROM goods_log ${where}`, server);
  const [inserted] = await chQuery<{ n: number }>(`SELECT count() AS n FROM ${INSERT_LOG} ${where}`, server);
  return { stored: Number(stored?.n), inserted: Number(inserted?.n) };
}

/** replicaRowsOn for every replica, in the order of CLICKHOUSE_URL. */
export function replicaRows(prefix: string): Promise<{ stored: number; inserted: number }[]> {
  return Promise.all(CLICKHOUSE_REPLICAS.map((server) => replicaRowsOn(prefix, server)));
}

/**
 * Every replica holds `events` rows of goods named `prefix…`, one per event: after the insert log
 * showed each event inserted once over all replicas, a row count equal to the events on a replica
 * means it has all of them (fetched or inserted) and no repeat.
 */
export async function expectEveryReplicaHolds(prefix: string, events: number, timeoutMs = 60_000): Promise<void> {
  const counts = await waitFor(
    `${events} rows of ${prefix} on every replica`,
    async () => {
      const rows = await replicaRows(prefix);
      return rows.every((r) => r.stored >= events) ? rows : undefined;
    },
    timeoutMs,
    250,
  );
  expect(counts.map((r) => r.stored)).toEqual(CLICKHOUSE_REPLICAS.map(() => events));
}
