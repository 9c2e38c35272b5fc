// Applies migrations/clickhouse to CLICKHOUSE_DATABASE (created if absent) at CLICKHOUSE_URL.
// Without CLICKHOUSE_URL in the environment it uses the local defaults (scripts/local.env).
import { fileURLToPath } from 'node:url';
import { applyClickHouseMigrations } from './lib/clickhouse-migrations.ts';
import { loadEnvFiles, requireEnv } from './lib/env-files.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!process.env.CLICKHOUSE_URL) loadEnvFiles([`${root}scripts/local.env`]);

try {
  const database = requireEnv('CLICKHOUSE_DATABASE');
  const { applied, skipped } = await applyClickHouseMigrations(
    {
      url: requireEnv('CLICKHOUSE_URL'),
      username: process.env.CLICKHOUSE_USER || 'default',
      password: process.env.CLICKHOUSE_PASSWORD ?? '',
      database,
    },
    `${root}migrations/clickhouse`,
  );
  console.log(`clickhouse migrations (${database}): ${applied.length} applied, ${skipped.length} already in place`);
} catch (error) {
  console.error(`clickhouse migrations failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
