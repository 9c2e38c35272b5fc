import type { ClickHouseClient } from '@clickhouse/client';
import { type ClickHouseTarget, createClickHouse } from '../clickhouse-writer.ts';
import { type MigrationResult, pendingMigrations, readMigrations } from './history.ts';

/**
 * ClickHouse has neither transactions nor locks: each file must consist of statements that are
 * safe to run again (CREATE ... IF NOT EXISTS), because a failed or concurrent run repeats them.
 * Two runs at once may both record a version; the table collapses such twins on merge and the
 * reader below counts each version once.
 */
const TRACKING_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version String,
  checksum String,
  applied_at DateTime('UTC') DEFAULT now()
) ENGINE = ReplacingMergeTree() ORDER BY version`;

/** Statements of a migration file: `--` comments dropped, split at a `;` that ends a line. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;[ \t]*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function client(target: ClickHouseTarget, database: string): ClickHouseClient {
  return createClickHouse({ ...target, database });
}

const ADD_COLUMN = /^ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)\s/i;

/**
 * True for an `ALTER TABLE t ADD COLUMN c …` whose column exists: a run that stopped before it
 * recorded its file added it already, and 18.16 has no ADD COLUMN IF NOT EXISTS.
 */
async function columnAlreadyAdded(ch: ClickHouseClient, statement: string): Promise<boolean> {
  const match = ADD_COLUMN.exec(statement);
  if (!match) return false;
  const result = await ch.query({
    query: `SELECT count() AS n FROM system.columns WHERE database = currentDatabase() AND table = '${match[1]}' AND name = '${match[2]}'`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ n: string }>();
  return Number(row?.n) > 0;
}

/**
 * Creates `target.database` if absent and applies every not-yet-recorded `*.sql` file of `dir`
 * in name order, recording each in `schema_migrations`. A recorded file whose content changed is
 * an error: write a new migration instead.
 */
export async function applyClickHouseMigrations(target: ClickHouseTarget, dir: string): Promise<MigrationResult> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(target.database)) throw new Error(`bad database name "${target.database}"`);
  const admin = client(target, 'default');
  try {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${target.database}` });
  } finally {
    await admin.close();
  }

  const ch = client(target, target.database);
  const result: MigrationResult = { applied: [], skipped: [] };
  try {
    await ch.command({ query: TRACKING_TABLE });
    const recorded = await ch.query({
      query: 'SELECT version, any(checksum) AS checksum FROM schema_migrations GROUP BY version',
      format: 'JSONEachRow',
    });
    const applied = new Map((await recorded.json<{ version: string; checksum: string }>()).map((r) => [r.version, r.checksum]));

    const files = readMigrations(dir);
    const pending = pendingMigrations(files, applied);
    result.skipped = files.filter((f) => !pending.includes(f)).map((f) => f.version);
    for (const { version: file, sql, checksum } of pending) {
      try {
        for (const statement of splitStatements(sql)) {
          if (!(await columnAlreadyAdded(ch, statement))) await ch.command({ query: statement });
        }
      } catch (error) {
        throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
      // Column list: 18.16 would store 1970-01-01 in applied_at instead of its DEFAULT otherwise.
      await ch.insert({
        table: 'schema_migrations',
        values: [{ version: file, checksum }],
        format: 'JSONEachRow',
        columns: ['version', 'checksum'],
      });
      result.applied.push(file);
    }
  } finally {
    await ch.close();
  }
  return result;
}
