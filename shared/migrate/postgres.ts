import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from '@neondatabase/serverless';

// Any constant works; it keeps two migrators (say `npm start` and the test set-up) from racing.
const MIGRATION_LOCK = 738200;

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

export function listMigrations(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

/** Applies every not-yet-applied `*.sql` file of `dir` in name order, each in its own transaction. */
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
    const done = await client.query<{ version: string }>('SELECT version FROM schema_migrations');
    const applied = new Set(done.rows.map((r) => r.version));
    for (const file of listMigrations(dir)) {
      if (applied.has(file)) {
        result.skipped.push(file);
        continue;
      }
      const sql = readFileSync(join(dir, file), 'utf8');
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
      result.applied.push(file);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return result;
}
