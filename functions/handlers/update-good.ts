import type { Context } from 'hono';
import { withDatabase } from '../db/with-database.ts';
import type { AppEnv } from '../env.ts';
import { updateGood } from '../goods/write-goods.ts';
import { ApiError } from '../http/api-error.ts';
import { goodQuery, updateBody } from '../http/schemas.ts';
import { finishWrite } from '../http/services.ts';
import { parseJsonBody, parseQuery } from '../http/validate.ts';

export async function updateGoodHandler(c: Context<AppEnv>): Promise<Response> {
  const target = parseQuery(c, goodQuery);
  const body = await parseJsonBody(c, updateBody);
  const written = await withDatabase(c, (db) => updateGood(db, { ...target, ...body }));
  if (!written) throw ApiError.goodNotFound();
  await finishWrite(c, written.events);
  return c.json(written.result);
}
