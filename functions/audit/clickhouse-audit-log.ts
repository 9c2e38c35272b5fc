import { createClient } from '@clickhouse/client-web';
import type { AuditLogReader, HistoryEntry } from './history.ts';
import { AuditLogUnavailable } from './history.ts';
import { fromBindings, requireBindings } from '../unset-bindings.ts';

const TIMEOUT_MS = 3_000;

export interface ClickHouseSettings {
  /** One server, or the replicas, comma-separated (CLICKHOUSE_URL): a read goes to the first that answers. */
  url: string;
  /** The edge's read-only user (profile `readonly` = 2): it may SELECT and nothing else. */
  username: string;
  password: string;
  database: string;
  /** Bindings it lacks: every read fails naming them. */
  unset: string[];
}

type ClickHouseBindings = Pick<Env, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'CLICKHOUSE_DATABASE'>;

/** Where, and as whom, the Worker's bindings say the audit log is. */
export function clickHouseSettings(env: ClickHouseBindings): ClickHouseSettings {
  return fromBindings(env, {
    url: 'CLICKHOUSE_URL',
    username: 'CLICKHOUSE_USER',
    password: 'CLICKHOUSE_PASSWORD',
    database: 'CLICKHOUSE_DATABASE',
  });
}

function connect({ unset, ...settings }: ClickHouseSettings, url: string) {
  requireBindings(unset);
  return createClient({ ...settings, url, request_timeout: TIMEOUT_MS });
}

/**
 * A failure this quick is a connection dropped or refused, not a replica that hangs: above all a
 * pooled keep-alive connection the server closed just as the read reused it (workerd reports
 * "Network connection lost"). A read is safe to send again, so it gets one more try there.
 */
const QUICK_FAILURE_MS = 1_000;

/**
 * Runs `work` on a client of the first replica of `settings.url`, then of the next while one
 * fails: a replica that is down costs a refused connect (tried twice), one that hangs the
 * timeout. Throws the last error. Every replica holds all of goods_log; one that lags a little
 * behind reads as the audit log a moment earlier.
 */
export async function onAnyReplica<T>(settings: ClickHouseSettings, work: (client: ReturnType<typeof connect>) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (const url of settings.url.split(',')) {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const client = connect(settings, url);
      const startedAt = Date.now();
      try {
        return await work(client);
      } catch (error) {
        lastError = error;
        if (Date.now() - startedAt >= QUICK_FAILURE_MS) break;
      } finally {
        await client.close();
      }
    }
  }
  throw lastError;
}

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
    try {
      return await onAnyReplica(settings, (reader) =>
        queries(async (query) => (await reader.query({ query, format: 'JSONEachRow' })).json()),
      );
    } catch (error) {
      throw new AuditLogUnavailable(`the audit log cannot be read: ${(error as Error).message}`, { cause: error });
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

/**
 * Rejects unless ClickHouse answers a query from the client the audit log reads with: a query,
 * not /ping, which answers without asking who calls, so a wrong password would pass.
 */
export async function pingClickHouse(settings: ClickHouseSettings): Promise<void> {
  await onAnyReplica(settings, async (client) => (await client.query({ query: 'SELECT 1', format: 'JSONEachRow' })).json());
}
