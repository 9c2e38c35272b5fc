import type { Queryable } from '../db/queryable.ts';
import type { GoodEvent } from '../../shared/event.ts';
import type { Good, PriorityChange, RemovedGood, WriteResult } from './types.ts';

// Each write is one SQL function (migrations/postgres/0003): lock, change and outbox insert in a
// single round trip. A NULL result means the target (good or project) does not exist.

async function callWrite<T>(db: Queryable, sql: string, params: unknown[], key: string): Promise<WriteResult<T> | null> {
  const { rows } = await db.query<{ out: Record<string, unknown> | null }>(sql, params);
  const out = rows[0]?.out;
  if (!out) return null;
  return { result: out[key] as T, events: out.events as GoodEvent[] };
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

export function reprioritizeGood(
  db: Queryable,
  input: { id: number; projectId: number; newPriority: number },
): Promise<WriteResult<PriorityChange[]> | null> {
  return callWrite(db, 'SELECT goods_reprioritize($1, $2, $3) AS out', [input.id, input.projectId, input.newPriority], 'priorities');
}
