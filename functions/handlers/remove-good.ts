import { ApiError } from '../http/api-error.ts';
import { defineRoute, WRITE_ERRORS } from '../http/define-route.ts';
import { goodQuery } from '../http/schemas.ts';
import { answerWrite } from '../goods/run-write.ts';
import { RemovedGoodSchema } from '../goods/types.ts';
import { removeGood } from '../goods/write-goods.ts';

export const removeGoodRoute = defineRoute({
  method: 'DELETE',
  paths: ['/goods/remove', '/good/remove'],
  write: true,
  operationId: 'removeGood',
  summary: 'Remove a good (soft delete)',
  query: goodQuery,
  response: RemovedGoodSchema,
  errors: WRITE_ERRORS,
  handle: (c, { query }) => answerWrite(c, (db, commitBy, once) => removeGood(db, query, commitBy, once), ApiError.goodNotFound),
});
