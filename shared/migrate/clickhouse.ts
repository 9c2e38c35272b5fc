import type { ClickHouseClient } from '@clickhouse/client';
import { type ClickHouseTarget, createClickHouse } from '../clickhouse-writer.ts';
import { urlsOf } from '../settings.ts';
import { type MigrationResult, pendingMigrations, readMigrations } from './history.ts';
import { onCluster } from './on-cluster.ts';

/**
 * ClickHouse has neither transactions nor locks: each file must consist of statements that are
 * safe to run again (CREATE ... IF NOT EXISTS), because a failed run repeats them. Two runs at
 * once are kept apart by the caller's lock (options.exclusive, a Postgres advisory lock); without
 * one, both may record a version, which the table collapses on merge and the reader below counts once.
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

function client(target: ClickHouseTarget, url: string, database: string): ClickHouseClient {
  return createClickHouse({ ...target, url, database });
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

/** The first of the target's servers (CLICKHOUSE_URL, one or a list of replicas) that answers. */
async function reachableUrl(target: ClickHouseTarget): Promise<string> {
  const problems: string[] = [];
  for (const url of urlsOf(target.url)) {
    const probe = client(target, url, 'default');
    try {
      const answer = await probe.ping();
      if (answer.success) return url;
      problems.push(answer.error.message);
    } finally {
      await probe.close();
    }
  }
  throw new Error(`no ClickHouse server answers: ${problems.join('; ')}`);
}

export interface ClickHouseMigrationOptions {
  /** Runs the whole migration while no other migrator of the same database runs (shared/migrate/lock.ts). */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
}

/**
 * Creates `target.database` if absent and applies every not-yet-recorded `*.sql` file of `dir`
 * in name order, recording each in `schema_migrations`. A recorded file whose content changed is
 * an error: write a new migration instead. With `target.cluster`, every statement runs ON CLUSTER
 * and tables get the replicated twin of their engine (on-cluster.ts); the tracking table too.
 */
export function applyClickHouseMigrations(
  target: ClickHouseTarget,
  dir: string,
  { exclusive = (work) => work() }: ClickHouseMigrationOptions = {},
): Promise<MigrationResult> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(target.database)) throw new Error(`bad database name "${target.database}"`);
  return exclusive(() => migrate(target, dir));
}

async function migrate(target: ClickHouseTarget, dir: string): Promise<MigrationResult> {
  const url = await reachableUrl(target);
  const topology = (statement: string) => (target.cluster ? onCluster(statement, target.cluster, target.database) : statement);
  const admin = client(target, url, 'default');
  try {
    await admin.command({ query: topology(`CREATE DATABASE IF NOT EXISTS ${target.database}`) });
  } finally {
    await admin.close();
  }

  const ch = client(target, url, target.database);
  const result: MigrationResult = { applied: [], skipped: [] };
  try {
    await ch.command({ query: topology(TRACKING_TABLE) });
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
          if (!(await columnAlreadyAdded(ch, statement))) await ch.command({ query: topology(statement) });
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
