import type { Pool } from '@neondatabase/serverless';

/**
 * Runs `work` while holding a Postgres advisory lock named `name`, so that two migrators (two
 * ingest workers starting together, each migrating first) never run the same ALTER at once: the
 * second waits, then finds every file recorded. The lock belongs to a transaction kept open for
 * the whole run, so it works through a transaction pooler (DATABASE_URL) as well as directly, and
 * a migrator that dies lets go of it at once.
 */
export async function withMigrationLock<T>(pool: Pool, name: string, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    // The app's statement budget would end a wait behind a long migration.
    await client.query(
      `BEGIN; SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0; SELECT pg_advisory_xact_lock(${lockKey(name)})`,
    );
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** A 32-bit FNV-1a hash of `name`, as the signed integer the lock takes. */
export function lockKey(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash | 0;
}

/** The lock of the ClickHouse migrations of `database`: migrators of other databases do not wait. */
export const clickHouseMigrationLock = (database: string) => `clickhouse migrations ${database}`;
