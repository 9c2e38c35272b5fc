import type { Context } from 'hono';
import { withDatabase } from '../db/with-database.ts';
import type { AppEnv } from '../env.ts';
import { removeGood } from '../goods/write-goods.ts';
import { ApiError } from '../http/api-error.ts';
import { goodQuery } from '../http/schemas.ts';
import { finishWrite } from '../http/services.ts';
import { parseQuery } from '../http/validate.ts';

export async function removeGoodHandler(c: Context<AppEnv>): Promise<Response> {
  const target = parseQuery(c, goodQuery);
  const written = await withDatabase(c, (db) => removeGood(db, target));
  if (!written) throw ApiError.goodNotFound();
  await finishWrite(c, written.events);
  return c.json(written.result);
}
