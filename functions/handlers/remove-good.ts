import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { runWrite } from '../goods/run-write.ts';
import { removeGood } from '../goods/write-goods.ts';
import { ApiError } from '../http/api-error.ts';
import { goodQuery } from '../http/schemas.ts';
import { parseQuery } from '../http/validate.ts';

export async function removeGoodHandler(c: Context<AppEnv>): Promise<Response> {
  const target = parseQuery(c, goodQuery);
  const written = await runWrite(c, (db, commitBy, once) => removeGood(db, target, commitBy, once), ApiError.goodNotFound);
  return c.json(written.result);
}
