import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { runWrite } from '../goods/run-write.ts';
import { updateGood } from '../goods/write-goods.ts';
import { ApiError } from '../http/api-error.ts';
import { goodQuery, updateBody } from '../http/schemas.ts';
import { parseJsonBody, parseQuery } from '../http/validate.ts';

export async function updateGoodHandler(c: Context<AppEnv>): Promise<Response> {
  const target = parseQuery(c, goodQuery);
  const body = await parseJsonBody(c, updateBody);
  const written = await runWrite(c, (db, commitBy, once) => updateGood(db, { ...target, ...body }, commitBy, once), ApiError.goodNotFound);
  return c.json(written.result);
}
