import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { IngestConfig } from './config.ts';
import type { GoodsLogRow } from './event.ts';

export const GOODS_LOG = 'goods_log';

/**
 * Columns named explicitly: ClickHouse 18.16 fills columns missing from a JSONEachRow row with the
 * type's zero (1970-01-01), not with their DEFAULT, unless the INSERT lists the columns it sends.
 */
export const GOODS_LOG_COLUMNS = [
  'Id',
  'ProjectId',
  'Name',
  'Description',
  'Priority',
  'Removed',
  'EventTime',
  'EventId',
  'Kind',
  'EventTimeMs',
] as const;

/** Ids per existence query: keeps the SQL (37 bytes an id) far below 18.16's max_query_size (256 KiB). */
const LOOKUP_CHUNK = 2000;

export function createClickHouse(config: IngestConfig['clickhouse']): ClickHouseClient {
  return createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    database: config.database,
    request_timeout: 30_000,
    // Failures are retried and logged by the worker; the client's own logger would print each one again.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

/**
 * The EventIds of `rows` already in goods_log. A repeated event carries the same EventTime and
 * good Id, so the query may name the batch's ranges of both: ClickHouse skips partitions and
 * parts outside the time range, and granules outside the Id range (the primary key's prefix).
 * Without the Id range every check of a batch read every row stored in its seconds, and a
 * reprioritize stores up to a million in one second. The ids travel as one string split on the
 * server: 18.16 parses a literal list of 1000 UUIDs about three times slower than the whole
 * lookup takes this way (and has no query parameters).
 */
export async function findExistingEventIds(ch: ClickHouseClient, rows: readonly GoodsLogRow[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < rows.length; i += LOOKUP_CHUNK) {
    const chunk = rows.slice(i, i + LOOKUP_CHUNK);
    let from = Infinity;
    let to = -Infinity;
    let lowId = Infinity;
    let highId = -Infinity;
    for (const r of chunk) {
      from = Math.min(from, r.EventTime);
      to = Math.max(to, r.EventTime);
      lowId = Math.min(lowId, r.Id);
      highId = Math.max(highId, r.Id);
    }
    // Inlining is safe: times and good ids are integers, event ids validated 8-4-4-4-12 hex.
    const result = await ch.query({
      query: `SELECT EventId FROM ${GOODS_LOG}
        WHERE EventTime >= toDateTime(${from}) AND EventTime <= toDateTime(${to})
          AND Id >= ${lowId} AND Id <= ${highId}
          AND EventId IN (SELECT toUUID(arrayJoin(splitByChar(',', '${chunk.map((r) => r.EventId).join(',')}'))))`,
      format: 'JSONEachRow',
    });
    for (const row of await result.json<{ EventId: string }>()) found.add(row.EventId);
  }
  return found;
}

/** One INSERT for all rows (the caller passes one batch). */
export async function insertRows(ch: ClickHouseClient, rows: readonly GoodsLogRow[]): Promise<void> {
  await ch.insert({ table: GOODS_LOG, values: rows as GoodsLogRow[], format: 'JSONEachRow', columns: [...GOODS_LOG_COLUMNS] });
}
