import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { finishWrite } from '../goods/finish-write.ts';
import { REPRIORITIZE_DEADLINE_MS, reprioritizeGood, takeAnswerChunks } from '../goods/write-goods.ts';
import { ApiError } from '../http/api-error.ts';
import { jsonListBody } from '../http/json-list-body.ts';
import { goodQuery, reprioritizeBody } from '../http/schemas.ts';
import { parseJsonBody, parseQuery } from '../http/validate.ts';

export async function reprioritizeGoodHandler(c: Context<AppEnv>): Promise<Response> {
  const target = parseQuery(c, goodQuery);
  const { newPriority } = await parseJsonBody(c, reprioritizeBody);
  const written = await c.var.db((db) => reprioritizeGood(db, { ...target, newPriority }), {
    deadlineMs: REPRIORITIZE_DEADLINE_MS,
  });
  if (!written) throw ApiError.goodNotFound();
  await finishWrite(c.var, written.events);
  const { firstChunk, chunks, answerId } = written;
  const body = jsonListBody('priorities', firstChunk, chunks, (from) => c.var.db((db) => takeAnswerChunks(db, answerId, from, chunks - 1)));
  return c.body(body, 200, { 'content-type': 'application/json' });
}
