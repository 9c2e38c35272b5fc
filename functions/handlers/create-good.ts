import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { finishWrite } from '../goods/finish-write.ts';
import { createGood } from '../goods/write-goods.ts';
import { ApiError } from '../http/api-error.ts';
import { createBody, projectQuery } from '../http/schemas.ts';
import { parseJsonBody, parseQuery } from '../http/validate.ts';

export async function createGoodHandler(c: Context<AppEnv>): Promise<Response> {
  const { projectId } = parseQuery(c, projectQuery);
  const body = await parseJsonBody(c, createBody);
  const written = await c.var.db((db) => createGood(db, { projectId, ...body }));
  if (!written) throw ApiError.projectNotFound();
  await finishWrite(c.var, written.events);
  return c.json(written.result);
}
