import type { Pool } from '@neondatabase/serverless';
import { errorMessage, type Log } from '../../shared/log.ts';
import { claimLeases, type LeaseScope, leaveLeases, offerLease, renewLeases } from './leases.ts';
import { planPartitions } from './partition-plan.ts';
import { startTicker } from './ticker.ts';

export interface PartitionLeaseOptions {
  pool: Pool;
  scope: LeaseScope;
  partitions: number;
  everyMs: number;
  /** Starts consuming a partition this worker took. */
  start(partition: number): void;
  /** Stops consuming a partition: resolves once what it held is written and acked. */
  stop(partition: number): Promise<void>;
  log: Log;
}

/** Who holds what, as this worker last read it (`/metrics`). */
export interface PartitionView {
  partitions: number;
  /** The partitions this worker consumes now. */
  mine: number[];
  /** The holder of each partition with a live lease. */
  owners: Record<number, string>;
}

export interface PartitionLeases {
  view(): PartitionView;
  /** Stops every partition (writing what each holds), then gives the leases back. */
  stop(): Promise<void>;
}

/**
 * Takes, keeps and gives back this worker's partitions through their leases (leases.ts), as
 * planPartitions says, once every `everyMs`. A worker that dies keeps its partitions only until
 * their leases run out; a worker that joins gets its share as soon as others offer theirs, and
 * they consume an offered partition until it is taken, so it is never left without a consumer.
 */
export async function startPartitionLeases(o: PartitionLeaseOptions): Promise<PartitionLeases> {
  const running = new Set<number>();
  const offered = new Set<number>();
  const stopping = new Set<Promise<void>>();
  let owners: Record<number, string> = {};

  const stopPartition = (partition: number) => {
    running.delete(partition);
    offered.delete(partition);
    const done = o.stop(partition).catch((error) => o.log('partition_stop_failed', { partition, error: errorMessage(error) }));
    stopping.add(done);
    void done.finally(() => stopping.delete(done));
  };

  const tick = async () => {
    const state = await renewLeases(o.pool, o.scope, [...offered]);
    owners = Object.fromEntries(state.leases.filter((l) => l.live && l.partition < o.partitions).map((l) => [l.partition, l.holder]));
    const plan = planPartitions({ me: o.scope.worker, partitions: o.partitions, state, running, offered });
    for (const partition of plan.stop) {
      o.log('partition_released', { partition, holder: owners[partition] ?? null });
      stopPartition(partition);
    }
    // An offered partition this worker holds again (no one took it, and it claimed it back) is its own again.
    for (const partition of offered) if (owners[partition] === o.scope.worker) offered.delete(partition);
    if (plan.offer !== undefined) {
      await offerLease(o.pool, o.scope, plan.offer);
      offered.add(plan.offer);
      o.log('partition_offered', { partition: plan.offer, workers: state.workers.length });
    }
    for (const partition of [...plan.resume, ...(await claimLeases(o.pool, o.scope, plan.claim))]) {
      owners[partition] = o.scope.worker;
      offered.delete(partition);
      if (running.has(partition)) continue;
      running.add(partition);
      o.log('partition_taken', { partition, workers: state.workers.length });
      o.start(partition);
    }
  };

  // The first round only says this worker is alive, so that workers started together (compose's
  // replicas) see each other before any takes partitions, instead of the first taking them all
  // and handing them over again a second later.
  await renewLeases(o.pool, o.scope, []).catch((error) => o.log('partition_leases_failed', { error: errorMessage(error) }));
  const ticker = startTicker('partition_leases', o.everyMs, tick, o.log);
  return {
    view: () => ({ partitions: o.partitions, mine: [...running].sort((a, b) => a - b), owners }),
    async stop() {
      await ticker.stop();
      for (const partition of [...running]) stopPartition(partition);
      await Promise.all(stopping);
      await leaveLeases(o.pool, o.scope).catch((error) => o.log('partition_leave_failed', { error: errorMessage(error) }));
    },
  };
}
