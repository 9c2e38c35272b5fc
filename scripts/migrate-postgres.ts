// Applies migrations/postgres to DATABASE_URL (through PG_WS_PROXY when set). Without a
// DATABASE_URL in the environment it uses the local defaults; a deploy passes Neon's URL.
import { fileURLToPath } from 'node:url';
import { createNodePool } from '../worker-ingest/src/postgres.ts';
import { loadEnvFiles, requireEnv } from './lib/env-files.ts';
import { applyPostgresMigrations } from './lib/postgres-migrations.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!process.env.DATABASE_URL) loadEnvFiles([`${root}scripts/local.env`]);

const pool = createNodePool(requireEnv('DATABASE_URL'), process.env.PG_WS_PROXY || undefined);
try {
  const { applied, skipped } = await applyPostgresMigrations(pool, `${root}migrations/postgres`);
  console.log(`postgres migrations: ${applied.length} applied, ${skipped.length} already in place`);
} catch (error) {
  console.error(`postgres migrations failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
