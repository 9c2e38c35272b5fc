// Applies migrations/postgres to DIRECT_URL (through PG_WS_PROXY when set). Migrations hold a
// session-level lock, so they need the direct URL, never the transaction pooler that the app's
// DATABASE_URL names. Without DIRECT_URL in the environment it uses the local defaults; a deploy
// passes Neon's direct (unpooled) connection string.
import { fileURLToPath } from 'node:url';
import { createNodePool } from '../worker-ingest/src/postgres.ts';
import { loadEnvFiles, requireEnv } from './lib/env-files.ts';
import { applyPostgresMigrations } from './lib/postgres-migrations.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!process.env.DIRECT_URL) loadEnvFiles([`${root}scripts/local.env`]);

const pool = createNodePool(requireEnv('DIRECT_URL'), process.env.PG_WS_PROXY || undefined);
try {
  const { applied, skipped } = await applyPostgresMigrations(pool, `${root}migrations/postgres`);
  console.log(`postgres migrations: ${applied.length} applied, ${skipped.length} already in place`);
} catch (error) {
  console.error(`postgres migrations failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
