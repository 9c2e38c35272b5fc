import type { Pool } from '@neondatabase/serverless';
import { inTransaction } from '../transaction.ts';
import { type MigrationResult, pendingMigrations, readMigrations } from './history.ts';

// Any constant works; it keeps two migrators (say `npm start` and the test set-up) from racing.
const MIGRATION_LOCK = 738200;

/**
 * Applies every not-yet-applied `*.sql` file of `dir` in name order, each in its own transaction,
 * after checking the recorded history against the folder (history.ts).
 */
export async function applyPostgresMigrations(pool: Pool, dir: string): Promise<MigrationResult> {
  const client = await pool.connect();
  const result: MigrationResult = { applied: [], skipped: [] };
  try {
    // Migrations may run longer than the statement budget the database gives the app (0004).
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    // Records made before checksums were kept have none; they are trusted as they are.
    await client.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text');
    const done = await client.query<{ version: string; checksum: string | null }>('SELECT version, checksum FROM schema_migrations');
    const files = readMigrations(dir);
    const pending = pendingMigrations(files, new Map(done.rows.map((r) => [r.version, r.checksum])));
    result.skipped = files.filter((f) => !pending.includes(f)).map((f) => f.version);
    for (const row of done.rows.filter((r) => r.checksum === null)) {
      const file = files.find((f) => f.version === row.version);
      await client.query('UPDATE schema_migrations SET checksum = $2 WHERE version = $1', [row.version, file?.checksum]);
    }
    for (const { version, sql, checksum } of pending) {
      try {
        await inTransaction(client, async () => {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)', [version, checksum]);
        });
      } catch (error) {
        throw new Error(`migration ${version} failed: ${(error as Error).message}`, { cause: error });
      }
      result.applied.push(version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return result;
}
