import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { GoodsLogRow } from './event.ts';

export const GOODS_LOG = 'goods_log';

/** The columns of goods_log an INSERT sends, in the order of its TabSeparated fields. */
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

/**
 * The INSERT of a batch's rows always runs under the same query_id: `<pipeline>-insert-<slots>-
 * <digest of its event ids>`, where `<slots>` is the bit mask of the lock slots it holds, in hex.
 * So ClickHouse refuses to run a second copy of it while the first still runs, and a worker can
 * tell whether an INSERT that may hold its events is still running (insertsRunning).
 */
export function insertQueryId(pipeline: string, rows: readonly GoodsLogRow[], slots: readonly number[]): string {
  const digest = createHash('sha256');
  for (const row of rows) digest.update(row.EventId);
  return `${insertQueryIdPrefix(pipeline)}${slotMask(slots).toString(16)}-${digest.digest('hex').slice(0, 32)}`;
}

const insertQueryIdPrefix = (pipeline: string) => `${pipeline}-insert-`;

const slotMask = (slots: readonly number[]) => slots.reduce((mask, slot) => mask | (1n << BigInt(slot)), 0n);

/**
 * Whether a running INSERT's query id may share events with a batch of `mask`: its slots meet
 * the mask, or it carries none (a release before partitions, whose INSERTs held every slot).
 */
function mayOverlap(queryId: string, prefix: string, mask: bigint): boolean {
  const slots = /^([0-9a-f]+)-[0-9a-f]{32}$/.exec(queryId.slice(prefix.length))?.[1];
  return slots === undefined || (BigInt(`0x${slots}`) & mask) !== 0n;
}

/**
 * One INSERT for all rows (the caller passes one batch), under `queryId`. Where the server knows
 * insert_deduplication_token (releases after 18.16), the same id is the block's deduplication
 * token too: a replicated table then stores a repeated INSERT of it once. The rows go as one
 * TabSeparated text: the client's JSONEachRow encodes each row on its own (a JSON.stringify and
 * a string each), which cost the worker more CPU than all its other work on a batch.
 */
export async function insertRows(
  ch: ClickHouseClient,
  rows: readonly GoodsLogRow[],
  queryId: string,
  { deduplicationToken }: { deduplicationToken: boolean },
): Promise<void> {
  await ch.insert({
    table: GOODS_LOG,
    values: Readable.from([tabSeparated(rows)], { objectMode: false }),
    format: 'TabSeparated',
    columns: [...GOODS_LOG_COLUMNS],
    query_id: queryId,
    ...(deduplicationToken ? { clickhouse_settings: { insert_deduplication_token: queryId } } : {}),
  });
}

const TSV_SPECIAL = /[\\\t\n\r\0\b\f]/;
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0', '\b': '\\b', '\f': '\\f' };

/** A string as a TabSeparated field: backslash, tab, line breaks and NUL escaped. */
export function tsvField(value: string): string {
  return TSV_SPECIAL.test(value) ? value.replace(new RegExp(TSV_SPECIAL, 'g'), (c) => TSV_ESCAPES[c]!) : value;
}

/** The rows as TabSeparated lines, in the order of GOODS_LOG_COLUMNS. */
export function tabSeparated(rows: readonly GoodsLogRow[]): string {
  let text = '';
  for (const r of rows) {
    text += `${r.Id}\t${r.ProjectId}\t${tsvField(r.Name)}\t${tsvField(r.Description)}\t${r.Priority}\t${r.Removed}\t${r.EventTime}\t${r.EventId}\t${r.Kind}\t${r.EventTimeMs}\n`;
  }
  return text;
}

/**
 * How many INSERTs of the pipeline that may hold events of `slots` ClickHouse is still running.
 * One whose client gave up (a timeout, a dropped connection) may still commit: the existence
 * check must wait for it to end, or it would miss rows that are about to appear. INSERTs of
 * other slots (other partitions' batches, running side by side) do not matter to it.
 */
export async function insertsRunning(ch: ClickHouseClient, pipeline: string, slots: readonly number[]): Promise<number> {
  const prefix = insertQueryIdPrefix(pipeline);
  const result = await ch.query({
    query: `SELECT query_id FROM system.processes WHERE startsWith(query_id, '${prefix}')`,
    format: 'JSONEachRow',
  });
  const mask = slotMask(slots);
  return (await result.json<{ query_id: string }>()).filter((row) => mayOverlap(row.query_id, prefix, mask)).length;
}

/** Resolves once no INSERT of the pipeline that may hold events of `slots` runs; rejects after `timeoutMs` (the caller retries). */
export async function insertsEnded(ch: ClickHouseClient, pipeline: string, slots: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await insertsRunning(ch, pipeline, slots)) > 0) {
    if (Date.now() > deadline) throw new Error(`an INSERT of ${pipeline} is still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether this ClickHouse knows a setting (older releases reject unknown ones). */
export async function knowsSetting(ch: ClickHouseClient, name: string): Promise<boolean> {
  const result = await ch.query({
    query: `SELECT count() AS n FROM system.settings WHERE name = '${name.replace(/\W/g, '')}'`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ n: string | number }>();
  return Number(row?.n ?? 0) > 0;
}

/**
 * Whether this replica has every part the others committed to goods_log: it has copied the whole
 * replication log into its queue and has no part left to fetch. True for a table that is not
 * replicated. (An empty log reads 0 and 0.)
 */
export async function replicaCaughtUp(ch: ClickHouseClient): Promise<boolean> {
  const result = await ch.query({
    query: `SELECT inserts_in_queue AS fetches, log_pointer AS pointer, log_max_index AS last FROM system.replicas
      WHERE database = currentDatabase() AND table = '${GOODS_LOG}'`,
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  const [row] = await result.json<{ fetches: number; pointer: number; last: number }>();
  if (!row) return true;
  return Number(row.fetches) === 0 && (Number(row.pointer) > Number(row.last) || Number(row.pointer) + Number(row.last) === 0);
}

/** Resolves once the replica has caught up (replicaCaughtUp); rejects after `timeoutMs` (the caller retries elsewhere). */
export async function replicaCaughtUpWithin(ch: ClickHouseClient, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await replicaCaughtUp(ch))) {
    if (Date.now() > deadline) throw new Error(`this replica still lacks parts of ${GOODS_LOG} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
