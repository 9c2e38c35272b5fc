// The ClickHouse migrator and its CLI (shared/migrate), on a scratch database.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyClickHouseMigrations, splitStatements } from './clickhouse.ts';
import { createClickHouse } from '../clickhouse-writer.ts';
import { createNodePool } from '../node-postgres.ts';
import { clickHouseMigrationLock, withMigrationLock } from './lock.ts';
import { ROOT, testEnv } from '../../test/support/env.ts';
import { testClickHouseTarget } from '../../test/support/worker/backends.ts';

const run = promisify(execFile);
const database = `goods_test_migrate_${randomUUID().slice(0, 8)}`;
const target = { ...testClickHouseTarget(), database };
let admin: ClickHouseClient;

beforeAll(() => {
  admin = createClickHouse({ ...target, database: 'default' });
});
afterAll(async () => {
  await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await admin.close();
});

async function migrateCli(): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `${ROOT}shared/migrate/cli.ts`, 'clickhouse'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      CLICKHOUSE_URL: target.url,
      CLICKHOUSE_WRITER_USER: target.username,
      CLICKHOUSE_WRITER_PASSWORD: target.password,
      CLICKHOUSE_DATABASE: database,
      // The migration lock, through the tests' own bridge.
      DATABASE_URL: testEnv.DATABASE_URL!,
      PG_WS_PROXY: `127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}`,
    },
  });
  return stdout.trim();
}

async function schemaState() {
  const rows = async (query: string) => (await admin.query({ query, format: 'JSONEachRow' })).json<Record<string, string>>();
  return {
    tables: await rows(`SELECT name, engine, create_table_query FROM system.tables WHERE database = '${database}' ORDER BY name`),
    migrations: await rows(`SELECT version, checksum, toString(applied_at) AS at FROM ${database}.schema_migrations ORDER BY version`),
  };
}

describe('ClickHouse migrations', { timeout: 60_000 }, () => {
  it('creates the database and goods_log; a second run changes nothing', async () => {
    expect(await migrateCli()).toBe(`clickhouse migrations (${database}): 3 applied, 0 already in place`);
    const first = await schemaState();
    expect(first.tables.map((t) => t.name)).toEqual(['goods_log', 'schema_migrations']);
    expect(first.tables[0]).toMatchObject({ engine: 'ReplacingMergeTree' });
    expect(first.migrations.map((m) => m.version)).toEqual(['0001_goods_log.sql', '0002_change_kind.sql', '0003_event_time_ms.sql']);
    expect(first.migrations[0]!.at).not.toMatch(/^1970/); // the DEFAULT was applied

    expect(await migrateCli()).toBe(`clickhouse migrations (${database}): 0 applied, 3 already in place`);
    expect(await schemaState()).toEqual(first);
  });

  it('refuses a migration that changed after it was applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ch-migrations-'));
    try {
      cpSync(`${ROOT}migrations/clickhouse`, dir, { recursive: true });
      writeFileSync(join(dir, '0001_goods_log.sql'), '-- edited\nSELECT 1;\n');
      await expect(applyClickHouseMigrations(target, dir)).rejects.toThrow(/0001_goods_log.sql was changed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs an ADD COLUMN again without error when a stopped run added the column but did not record it', async () => {
    const forgotten = `${database}_forgot`;
    const scratch = { ...target, database: forgotten };
    try {
      await applyClickHouseMigrations(scratch, `${ROOT}migrations/clickhouse`);
      // As if the run had stopped after the ALTER: the column is there, the record is not.
      await admin.command({ query: `DROP TABLE ${forgotten}.schema_migrations` });
      await expect(applyClickHouseMigrations(scratch, `${ROOT}migrations/clickhouse`)).resolves.toEqual({
        applied: ['0001_goods_log.sql', '0002_change_kind.sql', '0003_event_time_ms.sql'],
        skipped: [],
      });
    } finally {
      await admin.command({ query: `DROP DATABASE IF EXISTS ${forgotten}` });
    }
  });

  it('lets one of two migrators starting together apply the files; the other finds them applied', async () => {
    const raced = `${database}_raced`;
    const scratch = { ...target, database: raced };
    const pool = createNodePool(testEnv.DATABASE_URL!, `127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}`);
    const exclusive = <T>(work: () => Promise<T>) => withMigrationLock(pool, clickHouseMigrationLock(raced), work);
    try {
      const results = await Promise.all(
        [1, 2].map(() => applyClickHouseMigrations(scratch, `${ROOT}migrations/clickhouse`, { exclusive })),
      );
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 3]);
      expect(results.map((r) => r.skipped.length).sort()).toEqual([0, 3]);
    } finally {
      await pool.end();
      await admin.command({ query: `DROP DATABASE IF EXISTS ${raced}` });
    }
  });

  it('splits a file into statements and drops comments', () => {
    expect(splitStatements("-- a comment\nCREATE TABLE a (x String DEFAULT 'a;b');\n\nSELECT 1;  \nSELECT 2")).toEqual([
      "CREATE TABLE a (x String DEFAULT 'a;b')",
      'SELECT 1',
      'SELECT 2',
    ]);
  });
});
