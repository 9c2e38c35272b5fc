import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { runWrite } from '../goods/run-write.ts';
import { createGood } from '../goods/write-goods.ts';
import { ApiError } from '../http/api-error.ts';
import { createBody, projectQuery } from '../http/schemas.ts';
import { parseJsonBody, parseQuery } from '../http/validate.ts';

export async function createGoodHandler(c: Context<AppEnv>): Promise<Response> {
  const { projectId } = parseQuery(c, projectQuery);
  const body = await parseJsonBody(c, createBody);
  const written = await runWrite(
    c,
    (db, commitBy, once) => createGood(db, { projectId, ...body }, commitBy, once),
    ApiError.projectNotFound,
  );
  return c.json(written.result);
}
