import { createClient } from '@clickhouse/client-web';
import type { AuditLogReader, HistoryEntry } from './history.ts';
import { AuditLogUnavailable } from './history.ts';

const TIMEOUT_MS = 3_000;

export interface ClickHouseSettings {
  url: string;
  username: string;
  password: string;
  database: string;
}

/** Where the Worker's bindings say the audit log is. */
export function clickHouseSettings(
  env: Pick<Env, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'CLICKHOUSE_DATABASE'>,
): ClickHouseSettings {
  return {
    url: env.CLICKHOUSE_URL,
    username: env.CLICKHOUSE_USER || 'default',
    password: env.CLICKHOUSE_PASSWORD ?? '',
    database: env.CLICKHOUSE_DATABASE,
  };
}

const connect = (settings: ClickHouseSettings) => createClient({ ...settings, request_timeout: TIMEOUT_MS });

// ClickHouse 18.16 has no query parameters: the numbers below are validated integers.
// LIMIT 1 BY EventId reads each event once, whether or not merges have collapsed a repeat.

function historySql(id: number, projectId: number, limit: number, offset: number): string {
  return `SELECT Id, ProjectId, Name, Description, Priority, Removed, EventTimeMs, Kind
    FROM goods_log WHERE Id = ${id} AND ProjectId = ${projectId}
    ORDER BY EventTimeMs DESC, EventId
    LIMIT 1 BY EventId
    LIMIT ${offset - 1}, ${limit}`;
}

function historyCountSql(id: number, projectId: number): string {
  return `SELECT uniqExact(EventId) AS n FROM goods_log WHERE Id = ${id} AND ProjectId = ${projectId}`;
}

function statsSql(projectId: number, from: string, to: string): string {
  return `SELECT toString(toDate(EventTime)) AS day, Kind AS kind, uniqExact(EventId) AS changes
    FROM goods_log
    WHERE ProjectId = ${projectId} AND EventTime >= toDateTime('${from} 00:00:00', 'UTC')
      AND EventTime < toDateTime('${to} 00:00:00', 'UTC') + 86400
    GROUP BY day, kind ORDER BY day, kind`;
}

interface Row {
  Id: number;
  ProjectId: number;
  Name: string;
  Description: string;
  Priority: number;
  Removed: number;
  EventTimeMs: string;
  Kind: string;
}

const kindOf = (stored: string) => (stored || 'unknown') as HistoryEntry['kind'];

function entry(row: Row): HistoryEntry {
  return {
    id: row.Id,
    projectId: row.ProjectId,
    name: row.Name,
    description: row.Description,
    priority: row.Priority,
    removed: row.Removed === 1,
    eventTime: new Date(Number(row.EventTimeMs)).toISOString(),
    kind: kindOf(row.Kind),
  };
}

/** The audit log in ClickHouse, read over HTTP with @clickhouse/client-web. */
export function clickHouseAuditLog(settings: ClickHouseSettings): AuditLogReader {
  /** Runs `queries` on one client; any failure to read is AuditLogUnavailable. */
  const read = async <T>(queries: (select: <R>(query: string) => Promise<R[]>) => Promise<T>): Promise<T> => {
    const client = connect(settings);
    try {
      return await queries(async (query) => (await client.query({ query, format: 'JSONEachRow' })).json());
    } catch (error) {
      throw new AuditLogUnavailable(`the audit log cannot be read: ${(error as Error).message}`, { cause: error });
    } finally {
      await client.close();
    }
  };
  return {
    history: ({ id, projectId }, { limit, offset }) =>
      read(async (select) => {
        const [rows, counted] = await Promise.all([
          select<Row>(historySql(id, projectId, limit, offset)),
          select<{ n: string }>(historyCountSql(id, projectId)),
        ]);
        return { meta: { total: Number(counted[0]?.n ?? 0), limit, offset }, history: rows.map(entry) };
      }),
    projectStats: (projectId, { from, to }) =>
      read(async (select) => {
        const rows = await select<{ day: string; kind: string; changes: string }>(statsSql(projectId, from, to));
        return {
          projectId,
          from,
          to,
          days: rows.map((r) => ({ day: r.day, kind: kindOf(r.kind), changes: Number(r.changes) })),
        };
      }),
  };
}

/** Rejects unless ClickHouse answers a ping from the client the audit log reads with. */
export async function pingClickHouse(settings: ClickHouseSettings): Promise<void> {
  if (!settings.url) throw new Error('CLICKHOUSE_URL is not set');
  const client = connect(settings);
  try {
    const result = await client.ping();
    if (!result.success) throw result.error;
  } finally {
    await client.close();
  }
}
