import type { Pool } from '@neondatabase/serverless';
import { inTransaction } from '../../shared/transaction.ts';

/**
 * The write section every ingest worker of one goods_log shares: a transaction-scoped advisory
 * lock in Postgres, which each worker reaches anyway (the outbox), through the pooler as well as
 * directly. The lock goes with the transaction, so a worker that dies (kill -9, lost connection)
 * lets go of it at once. `pipeline` is the configured name of the pipeline (INGEST_PIPELINE), not
 * an address: workers that reach one ClickHouse by different host names still exclude each other,
 * and workers of different pipelines do not wait for each other.
 */
export function createWriteLock(pool: Pool, pipeline: string) {
  // BEGIN and the lock in one simple query (one round trip instead of two); a simple query takes
  // no parameters, so the key is an integer computed here.
  const lock = `BEGIN; SELECT pg_advisory_xact_lock(${writeLockKey(pipeline)})`;
  return async <T>(work: () => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      return await inTransaction(client, work, lock);
    } finally {
      client.release();
    }
  };
}

/**
 * The advisory lock's key for a pipeline: a 32-bit FNV-1a hash of its name, as the signed integer
 * the lock takes. It must not change from release to release: during a rolling restart workers of
 * two releases run side by side, and they exclude each other only while they compute the same key.
 * (Releases before the pipeline name hashed the ClickHouse address instead; a rolling restart
 * across that change must drain the old workers first. The README's upgrade notes say so.)
 */
export function writeLockKey(pipeline: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(`goods_log ${pipeline}`)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash | 0;
}
