import type { Pool } from '@neondatabase/serverless';

/**
 * The write section every ingest worker of one goods_log shares: a transaction-scoped advisory
 * lock in Postgres, which each worker reaches anyway (the outbox), through the pooler as well as
 * directly. The lock goes with the transaction, so a worker that dies (kill -9, lost connection)
 * lets go of it at once. `target` names the goods_log (ClickHouse URL and database): workers of
 * different pipelines do not wait for each other.
 */
export function createWriteLock(pool: Pool, target: string) {
  // BEGIN and the lock in one simple query (one round trip instead of two); a simple query takes
  // no parameters, so the key is an integer computed here.
  const lock = `BEGIN; SELECT pg_advisory_xact_lock(${writeLockKey(target)})`;
  return async <T>(work: () => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query(lock);
      const result = await work();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
}

/**
 * The advisory lock's key for the goods_log `target` names: a 32-bit FNV-1a hash, as the signed
 * integer the lock takes. It must never change: during a rolling restart workers of two releases
 * run side by side, and they exclude each other only while they compute the same key.
 */
export function writeLockKey(target: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(`goods_log ${target}`)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash | 0;
}
