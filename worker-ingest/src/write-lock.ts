import type { Pool } from '@neondatabase/serverless';

/**
 * The write section every ingest worker of one goods_log shares: a transaction-scoped advisory
 * lock in Postgres, which each worker reaches anyway (the outbox), through the pooler as well as
 * directly. The lock goes with the transaction, so a worker that dies (kill -9, lost connection)
 * lets go of it at once. `target` names the goods_log (ClickHouse URL and database): workers of
 * different pipelines do not wait for each other.
 */
export function createWriteLock(pool: Pool, target: string) {
  return async <T>(work: () => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`goods_log ${target}`]);
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
