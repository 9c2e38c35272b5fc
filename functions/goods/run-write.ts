import type { Context } from 'hono';
import type { AuditMessage } from '../../shared/event.ts';
import type { ListChange } from '../cache/list-change.ts';
import type { Queryable } from '../db/queryable.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../http/api-error.ts';
import { IDEMPOTENT_REPLAYED } from '../http/idempotency-key.ts';
import { finishWrite } from './finish-write.ts';
import type { IdempotencyKey, Keyed } from './keyed.ts';

export type Write<T> = (db: Queryable, commitBy: Date, once: IdempotencyKey | undefined) => Promise<Keyed<T | null>>;

/**
 * What every write handler does once its input is valid: runs the write on Postgres within the
 * request's deadline (under its Idempotency-Key, if it has one), answers 404 when the target is
 * missing, and finishes a write that ran (cache, audit). A replay finishes nothing: the first
 * request did.
 */
export async function runWrite<T extends { events: readonly AuditMessage[]; list: ListChange }>(
  c: Context<AppEnv>,
  write: Write<T>,
  notFound: () => ApiError,
  options?: { deadlineMs?: number },
): Promise<T> {
  const outcome = await c.var.db((db, commitBy) => write(db, commitBy, c.var.idempotencyKey), options);
  if (outcome.kind === 'mismatch') throw ApiError.idempotencyMismatch();
  if (outcome.kind === 'inProgress') throw ApiError.idempotencyInProgress();
  if (outcome.kind === 'replayed') c.header(IDEMPOTENT_REPLAYED, 'true');
  if (!outcome.value) throw notFound();
  if (outcome.kind === 'ran') await finishWrite(c.var, outcome.value);
  return outcome.value;
}

/** runWrite, answered with the write's result as JSON: the whole of a plain write route. */
export async function answerWrite<T extends { result: object; events: readonly AuditMessage[]; list: ListChange }>(
  c: Context<AppEnv>,
  write: Write<T>,
  notFound: () => ApiError,
): Promise<Response> {
  return c.json((await runWrite(c, write, notFound)).result);
}
