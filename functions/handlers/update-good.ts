import { ApiError } from '../http/api-error.ts';
import { defineRoute, WRITE_ERRORS } from '../http/define-route.ts';
import { goodQuery, updateBody } from '../http/schemas.ts';
import { answerWrite } from '../goods/run-write.ts';
import { GoodSchema } from '../goods/types.ts';
import { updateGood } from '../goods/write-goods.ts';

export const updateGoodRoute = defineRoute({
  method: 'PATCH',
  paths: ['/goods/update', '/good/update'],
  write: true,
  operationId: 'updateGood',
  summary: 'Rename a good, and change its description if one is given',
  query: goodQuery,
  body: updateBody,
  response: GoodSchema,
  errors: WRITE_ERRORS,
  handle: (c, { query, body }) =>
    answerWrite(c, (db, commitBy, once) => updateGood(db, { ...query, ...body }, commitBy, once), ApiError.goodNotFound),
});
