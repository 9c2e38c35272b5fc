import type { Pool } from '@neondatabase/serverless';
import { withAdvisoryLock } from '../advisory-lock.ts';

/**
 * Runs `work` while holding the advisory lock `name`, so that two migrators (two ingest workers
 * starting together, each migrating first) never run the same ALTER at once: the second waits,
 * then finds every file recorded. The app's statement budget would end a wait behind a long
 * migration, so this transaction has none.
 */
export function withMigrationLock<T>(pool: Pool, name: string, work: () => Promise<T>): Promise<T> {
  return withAdvisoryLock(pool, name, work, { waitUnbounded: true });
}

/** The lock of the ClickHouse migrations of `database`: migrators of other databases do not wait. */
export const clickHouseMigrationLock = (database: string) => `clickhouse migrations ${database}`;
