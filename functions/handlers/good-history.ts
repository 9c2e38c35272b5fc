import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { goodExists } from '../goods/exists.ts';
import { ApiError } from '../http/api-error.ts';
import { historyQuery } from '../http/schemas.ts';
import { parseQuery } from '../http/validate.ts';

/** Every logged state of one good, newest first, from the audit log. */
export async function goodHistoryHandler(c: Context<AppEnv>): Promise<Response> {
  const { id, projectId, limit, offset } = parseQuery(c, historyQuery);
  if (!(await c.var.db((db) => goodExists(db, { id, projectId })))) throw ApiError.goodNotFound();
  return c.json(await c.var.auditLog.history({ id, projectId }, { limit, offset }));
}
