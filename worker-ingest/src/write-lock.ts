import type { Pool } from '@neondatabase/serverless';
import { advisoryLockKey, withAdvisoryLock } from '../../shared/advisory-lock.ts';

/**
 * The write section every ingest worker of one goods_log shares: a transaction-scoped advisory
 * lock in Postgres, which each worker reaches anyway (the outbox), through the pooler as well as
 * directly. The lock goes with the transaction, so a worker that dies (kill -9, lost connection)
 * lets go of it at once. `pipeline` is the configured name of the pipeline (INGEST_PIPELINE), not
 * an address: workers that reach one ClickHouse by different host names still exclude each other,
 * and workers of different pipelines do not wait for each other.
 */
export function createWriteLock(pool: Pool, pipeline: string) {
  return <T>(work: () => Promise<T>): Promise<T> => withAdvisoryLock(pool, writeLockName(pipeline), work);
}

/**
 * The name of a pipeline's lock. (Releases before the pipeline name hashed the ClickHouse address
 * instead; a rolling restart across that change must drain the old workers first. The README's
 * upgrade notes say so.)
 */
const writeLockName = (pipeline: string) => `goods_log ${pipeline}`;

/** The advisory lock's key for a pipeline. */
export function writeLockKey(pipeline: string): number {
  return advisoryLockKey(writeLockName(pipeline));
}
