// `node --import tsx shared/migrate/cli.ts postgres|clickhouse`: applies migrations/<kind> with
// the settings in the environment (npm run migrate and migrate:clickhouse pass the dev ones).
//   postgres    to DIRECT_URL, through PG_WS_PROXY when set. Migrations hold a session-level
//               lock, so they need the direct URL, never the transaction pooler of DATABASE_URL;
//               a deploy passes Neon's direct (unpooled) connection string.
//   clickhouse  to CLICKHOUSE_DATABASE (created if absent) at CLICKHOUSE_URL, as the writer
//               (CLICKHOUSE_WRITER_USER), never as the edge's read-only user; ON CLUSTER when
//               CLICKHOUSE_CLUSTER is set. Under a Postgres advisory lock (DATABASE_URL), so two
//               ingest workers starting together, each migrating first, do not race.
import { fileURLToPath } from 'node:url';
import { createNodePool } from '../node-postgres.ts';
import { clickHouseWriter } from '../clickhouse-writer.ts';
import { parseSettings } from '../settings.ts';
import { applyClickHouseMigrations } from './clickhouse.ts';
import { clickHouseMigrationLock, withMigrationLock } from './lock.ts';
import { applyPostgresMigrations } from './postgres.ts';

const migrations = fileURLToPath(new URL('../../migrations/', import.meta.url));

async function migratePostgres(): Promise<string> {
  const settings = parseSettings(process.env, ['DIRECT_URL']);
  const pool = createNodePool(settings.DIRECT_URL, settings.PG_WS_PROXY);
  try {
    const { applied, skipped } = await applyPostgresMigrations(pool, `${migrations}postgres`);
    return `postgres migrations: ${applied.length} applied, ${skipped.length} already in place`;
  } finally {
    await pool.end();
  }
}

async function migrateClickHouse(): Promise<string> {
  const target = clickHouseWriter(process.env);
  const settings = parseSettings(process.env, ['DATABASE_URL']);
  const pool = createNodePool(settings.DATABASE_URL, settings.PG_WS_PROXY);
  try {
    const { applied, skipped } = await applyClickHouseMigrations(target, `${migrations}clickhouse`, {
      exclusive: (work) => withMigrationLock(pool, clickHouseMigrationLock(target.database), work),
    });
    return `clickhouse migrations (${target.database}): ${applied.length} applied, ${skipped.length} already in place`;
  } finally {
    await pool.end();
  }
}

const kind = process.argv[2];
const migrate = kind === 'postgres' ? migratePostgres : kind === 'clickhouse' ? migrateClickHouse : undefined;
if (!migrate) {
  console.error('usage: cli.ts postgres|clickhouse');
  process.exit(2);
}
try {
  console.log(await migrate());
} catch (error) {
  console.error(`${kind} migrations failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
