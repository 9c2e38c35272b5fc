import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { finishWrite } from '../goods/finish-write.ts';
import { removeGood } from '../goods/write-goods.ts';
import { ApiError } from '../http/api-error.ts';
import { goodQuery } from '../http/schemas.ts';
import { parseQuery } from '../http/validate.ts';

export async function removeGoodHandler(c: Context<AppEnv>): Promise<Response> {
  const target = parseQuery(c, goodQuery);
  const written = await c.var.db((db) => removeGood(db, target));
  if (!written) throw ApiError.goodNotFound();
  await finishWrite(c.var, written.events);
  return c.json(written.result);
}
