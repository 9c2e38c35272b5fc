import type { Pool } from '@neondatabase/serverless';
import { advisoryLockKey } from '../../shared/advisory-lock.ts';
import { inTransaction } from '../../shared/transaction.ts';

/**
 * Runs `work` while holding the write lock of the given slots (shared/partitions.ts); `work` is
 * told how long the database kept it waiting for them.
 */
export type WriteLock = <T>(slots: readonly number[], work: (waitedMs: number) => Promise<T>) => Promise<T>;

/**
 * The write section the ingest workers of one goods_log share: transaction-scoped advisory locks
 * in Postgres, which each worker reaches anyway (the outbox), through the pooler as well as
 * directly. A batch locks the slots of its projects, so batches of different partitions run
 * side by side, while two batches that may hold copies of one event (same project) wait for each
 * other, whatever partition each came from. The locks go with the transaction: a worker that dies
 * (kill -9, lost connection) lets go of them at once. `pipeline` is the configured name of the
 * pipeline (INGEST_PIPELINE), not an address: workers that reach one ClickHouse by different host
 * names still exclude each other, and workers of different pipelines do not wait for each other.
 */
export function createWriteLock(pool: Pool, pipeline: string): WriteLock {
  const key = writeLockKey(pipeline);
  return async (slots, work) => {
    const client = await pool.connect();
    try {
      // Releases before partitions held the pipeline's key alone, exclusively: holding it shared
      // keeps them out while letting this release's workers in side by side. The slots are locked
      // in ascending order, so two batches never wait for each other in a cycle. One simple
      // query (one round trip); it takes no parameters, so the integers are written into it. Its
      // last statement reads how long the server spent on it: the wait for the locks.
      const ordered = [...new Set(slots)].sort((a, b) => a - b).map((slot) => Math.trunc(slot));
      return await inTransaction(
        client,
        (begun) => work(waitedMs(begun)),
        `BEGIN; SELECT pg_advisory_xact_lock_shared(${key}); SELECT pg_advisory_xact_lock(${key}, slot) FROM unnest(ARRAY[${ordered.join(',')}]::int[]) AS slot; ` +
          'SELECT (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::float8 AS waited_ms',
      );
    } finally {
      client.release();
    }
  };
}

/** The wait the lock query measured: its last result (a simple query answers one per statement). */
function waitedMs(begun: unknown): number {
  const results = begun as Array<{ rows: Array<{ waited_ms: number }> }>;
  return Number(results.at(-1)?.rows[0]?.waited_ms ?? Number.NaN);
}

/**
 * The name of a pipeline's lock. (Releases before the pipeline name hashed the ClickHouse address
 * instead; a rolling restart across that change must drain the old workers first. The README's
 * upgrade notes say so.)
 */
const writeLockName = (pipeline: string) => `goods_log ${pipeline}`;

/** The advisory lock's key for a pipeline: alone (shared), and with each slot. */
export function writeLockKey(pipeline: string): number {
  return advisoryLockKey(writeLockName(pipeline));
}
