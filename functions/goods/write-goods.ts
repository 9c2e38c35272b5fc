import type { Queryable } from '../db/queryable.ts';
import type { AuditMessage } from '../../shared/event.ts';
import type { Good, RemovedGood, WriteResult } from './types.ts';

// Each write is one SQL function (migrations/postgres/0003): lock, change and outbox insert in a
// single round trip. A NULL result means the target (good or project) does not exist.

async function callWrite<T>(db: Queryable, sql: string, params: unknown[], key: string): Promise<WriteResult<T> | null> {
  const { rows } = await db.query<{ out: Record<string, unknown> | null }>(sql, params);
  const out = rows[0]?.out;
  if (!out) return null;
  return { result: out[key] as T, events: out.events as AuditMessage[] };
}

export function createGood(
  db: Queryable,
  input: { projectId: number; name: string; description: string },
): Promise<WriteResult<Good> | null> {
  return callWrite(db, 'SELECT goods_create($1, $2, $3) AS out', [input.projectId, input.name, input.description], 'good');
}

/** `description` undefined leaves it unchanged. */
export function updateGood(
  db: Queryable,
  input: { id: number; projectId: number; name: string; description?: string | undefined },
): Promise<WriteResult<Good> | null> {
  return callWrite(
    db,
    'SELECT goods_update($1, $2, $3, $4) AS out',
    [input.id, input.projectId, input.name, input.description ?? null],
    'good',
  );
}

export function removeGood(db: Queryable, input: { id: number; projectId: number }): Promise<WriteResult<RemovedGood> | null> {
  return callWrite(db, 'SELECT goods_remove($1, $2) AS out', [input.id, input.projectId], 'good');
}

/**
 * What a reprioritize may take in Postgres: a move to the top of a million goods shifts every one
 * of them (10–12 s here, answer included). Over budget, Postgres cancels it and rolls it back whole.
 */
export const REPRIORITIZE_BUDGET_MS = 20_000;
/** The caller's deadline for a reprioritize: longer than its budget, as DEADLINE_MS for the rest. */
export const REPRIORITIZE_DEADLINE_MS = REPRIORITIZE_BUDGET_MS + 2_000;

/**
 * The answer's list of changes as JSON text, built by Postgres and passed on unparsed, in chunks
 * of items (without brackets): a million changes make 32 MB, which a Worker should not hold
 * at once. The first chunk comes with the write; the rest wait in Postgres (takeAnswerChunks).
 */
export interface Reprioritized {
  firstChunk: string;
  chunks: number;
  answerId: string;
  events: AuditMessage[];
}

/**
 * The budget goes with the call, in one round trip: `SET LOCAL` then the call, as one simple
 * query (one implicit transaction; Postgres times each statement of it separately). A simple
 * query takes no parameters, so the three integers are inlined, after checking that they are.
 */
export async function reprioritizeGood(
  db: Queryable,
  input: { id: number; projectId: number; newPriority: number },
): Promise<Reprioritized | null> {
  const args = [input.id, input.projectId, input.newPriority];
  if (!args.every(Number.isSafeInteger)) throw new Error(`reprioritize takes integers, got ${args.join(', ')}`);
  const sql = `SET LOCAL statement_timeout = ${REPRIORITIZE_BUDGET_MS}; SELECT * FROM goods_reprioritize(${args.join(', ')})`;
  type Row = { priorities: string; chunks: number; answer_id: string; parts: AuditMessage[] };
  const results = (await db.query(sql)) as unknown as { rows: Row[] }[];
  const row = results.at(-1)?.rows[0];
  if (!row) return null;
  return { firstChunk: row.priorities, chunks: row.chunks, answerId: row.answer_id, events: row.parts };
}

/** Chunks taken per round trip: about 700 KB, as rows of about 100 KB each. */
export const ANSWER_CHUNKS_PER_TAKE = 7;

/**
 * Takes (reads and deletes) chunks `from` .. `from + ANSWER_CHUNKS_PER_TAKE - 1` of a stored
 * answer (the first chunk, 0, came with the write), in order, up to chunk `last`.
 */
export async function takeAnswerChunks(db: Queryable, answerId: string, from: number, last: number): Promise<string[]> {
  const to = Math.min(last, from + ANSWER_CHUNKS_PER_TAKE - 1);
  const { rows } = await db.query<{ chunk: number; items: string }>('SELECT chunk, items FROM goods_take_answer_chunks($1, $2, $3)', [
    answerId,
    from,
    to,
  ]);
  if (rows.length !== to - from + 1) throw new Error(`chunks ${from}..${to} of answer ${answerId} are gone`);
  return rows.sort((a, b) => a.chunk - b.chunk).map((r) => r.items);
}
