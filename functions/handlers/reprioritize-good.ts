import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { runWrite } from '../goods/run-write.ts';
import { REPRIORITIZE_DEADLINE_MS, readAnswerChunks, reprioritizeGood } from '../goods/write-goods.ts';
import { ApiError } from '../http/api-error.ts';
import { jsonListBody } from '../http/json-list-body.ts';
import { goodQuery, reprioritizeBody } from '../http/schemas.ts';
import { parseJsonBody, parseQuery } from '../http/validate.ts';

export async function reprioritizeGoodHandler(c: Context<AppEnv>): Promise<Response> {
  const target = parseQuery(c, goodQuery);
  const { newPriority } = await parseJsonBody(c, reprioritizeBody);
  const { firstChunk, chunks, rest } = await runWrite(
    c,
    (db, commitBy, once) => reprioritizeGood(db, { ...target, newPriority }, commitBy, once),
    ApiError.goodNotFound,
    { deadlineMs: REPRIORITIZE_DEADLINE_MS },
  );
  const body = jsonListBody('priorities', firstChunk, chunks, (from) => c.var.db((db) => readAnswerChunks(db, rest, from, chunks - 1)));
  return c.body(body, 200, { 'content-type': 'application/json' });
}
