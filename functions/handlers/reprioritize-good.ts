import { ApiError } from '../http/api-error.ts';
import { defineRoute, WRITE_ERRORS } from '../http/define-route.ts';
import { jsonListBody } from '../http/json-list-body.ts';
import { goodQuery, reprioritizeBody } from '../http/schemas.ts';
import { runWrite } from '../goods/run-write.ts';
import { PrioritiesSchema } from '../goods/types.ts';
import { REPRIORITIZE_DEADLINE_MS, readAnswerChunks, reprioritizeGood } from '../goods/write-goods.ts';

export const reprioritizeGoodRoute = defineRoute({
  method: 'PATCH',
  paths: ['/goods/reprioritize', '/good/reprioritiize', '/good/reprioritize', '/goods/reprioritiize'],
  write: true,
  operationId: 'reprioritizeGood',
  summary: 'Move a good to a priority; every good at or after it moves down by one',
  query: goodQuery,
  body: reprioritizeBody,
  response: PrioritiesSchema,
  errors: WRITE_ERRORS,
  handle: async (c, { query, body }) => {
    const { firstChunk, chunks, rest } = await runWrite(
      c,
      (db, commitBy, once) => reprioritizeGood(db, { ...query, ...body }, commitBy, once),
      ApiError.goodNotFound,
      { deadlineMs: REPRIORITIZE_DEADLINE_MS },
    );
    const answer = jsonListBody('priorities', firstChunk, chunks, (from) => c.var.db((db) => readAnswerChunks(db, rest, from, chunks - 1)));
    return c.body(answer, 200, { 'content-type': 'application/json' });
  },
});
