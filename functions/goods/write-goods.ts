import type { Queryable } from '../db/queryable.ts';
import type { AuditMessage } from '../../shared/event.ts';
import type { ListChange } from '../cache/list-change.ts';
import { checkInlinable, type IdempotencyKey, type Keyed, keyedOutcome, type Prior } from './keyed.ts';
import type { Good, RemovedGood, WriteResult } from './types.ts';

// Each write is one SQL function (migrations/postgres/0003): lock, change and outbox insert in a
// single round trip. A NULL result means the target (good or project) does not exist. Every write
// starts with goods_begin_write (0009), so it commits by `commitBy` or not at all; a write with an
// Idempotency-Key starts with goods_begin_keyed_write (0010) instead, and stores its outcome with
// the key in the same statement. The edge calls each through its wrapper of 0014 (`*_listed`),
// which adds what the write changed in the list.

interface Out {
  events: AuditMessage[];
  list: ListChange;
  [field: string]: unknown;
}

/** One write function's call, in one statement; the FROM item (deadline, key) runs first. */
async function callWrite<T>(
  db: Queryable,
  fn: string,
  args: unknown[],
  field: string,
  commitBy: Date,
  once: IdempotencyKey | undefined,
): Promise<Keyed<WriteResult<T> | null>> {
  const before = once ? [commitBy.toISOString(), once.key, once.request] : [commitBy.toISOString()];
  const call = `${fn}(${args.map((_, i) => `$${before.length + i + 1}`).join(', ')})`;
  const sql = once
    ? `SELECT k.prior, CASE WHEN k.prior IS NULL THEN goods_keep_outcome($2, ${call}) END AS out FROM goods_begin_keyed_write($1, $2, $3) AS k(prior)`
    : `SELECT NULL::json AS prior, ${call} AS out FROM goods_begin_write($1)`;
  const { rows } = await db.query<{ prior: Prior | null; out: Out | null }>(sql, [...before, ...args]);
  return keyedOutcome(rows[0]?.prior, rows[0]?.out, (stored) => {
    const out = stored as Out | null;
    return out ? { result: out[field] as T, events: out.events, list: out.list } : null;
  });
}

export function createGood(
  db: Queryable,
  input: { projectId: number; name: string; description: string },
  commitBy: Date,
  once?: IdempotencyKey,
): Promise<Keyed<WriteResult<Good> | null>> {
  return callWrite(db, 'goods_create_listed', [input.projectId, input.name, input.description], 'good', commitBy, once);
}

/** `description` undefined leaves it unchanged. */
export function updateGood(
  db: Queryable,
  input: { id: number; projectId: number; name: string; description?: string | undefined },
  commitBy: Date,
  once?: IdempotencyKey,
): Promise<Keyed<WriteResult<Good> | null>> {
  return callWrite(db, 'goods_update_listed', [input.id, input.projectId, input.name, input.description ?? null], 'good', commitBy, once);
}

export function removeGood(
  db: Queryable,
  input: { id: number; projectId: number },
  commitBy: Date,
  once?: IdempotencyKey,
): Promise<Keyed<WriteResult<RemovedGood> | null>> {
  return callWrite(db, 'goods_remove_listed', [input.id, input.projectId], 'good', commitBy, once);
}

/**
 * What a reprioritize may take in Postgres: a move to the top of a million goods shifts every one
 * of them (bench:scale measures it). Over budget, Postgres cancels it and rolls it back whole.
 */
export const REPRIORITIZE_BUDGET_MS = 20_000;
/** The caller's deadline for a reprioritize: longer than its budget, as DEADLINE_MS for the rest. */
export const REPRIORITIZE_DEADLINE_MS = REPRIORITIZE_BUDGET_MS + 2_000;

/** Where the chunks of an answer after its first wait: taken as read, or kept with a key for replays. */
export type AnswerChunks = { answerId: string } | { key: string };

/**
 * The answer's list of changes as JSON text, built by Postgres and passed on unparsed, in chunks
 * of items (without brackets): a million changes make 32 MB, which a Worker should not hold
 * at once. The first chunk comes with the write; the rest wait in Postgres (readAnswerChunks).
 */
export interface Reprioritized {
  firstChunk: string;
  chunks: number;
  rest: AnswerChunks;
  events: AuditMessage[];
  list: ListChange;
}

/**
 * The budget and the deadline go with the call, in one round trip: `SET LOCAL`, the deadline
 * (and key), then the call, as one simple query (one implicit transaction; Postgres times each
 * statement of it separately). A simple query takes no parameters, so the three integers, the
 * deadline and the key are inlined, after checking that they are what they claim.
 */
export async function reprioritizeGood(
  db: Queryable,
  input: { id: number; projectId: number; newPriority: number },
  commitBy: Date,
  once?: IdempotencyKey,
): Promise<Keyed<Reprioritized | null>> {
  const args = [input.id, input.projectId, input.newPriority];
  if (!args.every(Number.isSafeInteger)) throw new Error(`reprioritize takes integers, got ${args.join(', ')}`);
  if (once) checkInlinable(once);
  const deadline = commitBy.toISOString(); // digits, '-', ':', '.', 'T' and 'Z' only
  const sql = [
    `SET LOCAL statement_timeout = ${REPRIORITIZE_BUDGET_MS}`,
    once
      ? `SELECT goods_begin_keyed_write('${deadline}', '${once.key}', '${once.request}') AS prior`
      : `SELECT NULL::json AS prior FROM goods_begin_write('${deadline}')`,
    once
      ? `SELECT * FROM goods_reprioritize_keyed_listed('${once.key}', ${args.join(', ')})`
      : `SELECT * FROM goods_reprioritize_listed(${args.join(', ')})`,
  ].join('; ');
  type Row = { priorities: string; chunks: number; answer_id: string; parts?: AuditMessage[]; list: ListChange };
  const [, begun, written] = (await db.query(sql)) as unknown as [unknown, { rows: { prior: Prior | null }[] }, { rows: Row[] }];
  return keyedOutcome(begun.rows[0]?.prior, written.rows[0], (stored) => {
    const row = stored as Row | null | undefined;
    if (!row) return null;
    const rest = once ? { key: once.key } : { answerId: row.answer_id };
    return { firstChunk: row.priorities, chunks: row.chunks, rest, events: row.parts ?? [], list: row.list };
  });
}

/** Chunks read per round trip: about 700 KB, as rows of about 100 KB each. */
export const ANSWER_CHUNKS_PER_TAKE = 7;

/**
 * Reads chunks `from` .. `from + ANSWER_CHUNKS_PER_TAKE - 1` of a stored answer (the first chunk,
 * 0, came with the write), in order, up to chunk `last`. Chunks of an unkeyed answer are deleted
 * as they are read.
 */
export async function readAnswerChunks(db: Queryable, rest: AnswerChunks, from: number, last: number): Promise<string[]> {
  const to = Math.min(last, from + ANSWER_CHUNKS_PER_TAKE - 1);
  const [fn, id] = 'key' in rest ? ['goods_read_kept_chunks', rest.key] : ['goods_take_answer_chunks', rest.answerId];
  const { rows } = await db.query<{ chunk: number; items: string }>(`SELECT chunk, items FROM ${fn}($1, $2, $3)`, [id, from, to]);
  if (rows.length !== to - from + 1) throw new Error(`chunks ${from}..${to} of answer ${id} are gone`);
  return rows.sort((a, b) => a.chunk - b.chunk).map((r) => r.items);
}
