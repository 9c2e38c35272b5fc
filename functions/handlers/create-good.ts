import { ApiError } from '../http/api-error.ts';
import { defineRoute, WRITE_ERRORS } from '../http/define-route.ts';
import { createBody, projectQuery } from '../http/schemas.ts';
import { answerWrite } from '../goods/run-write.ts';
import { GoodSchema } from '../goods/types.ts';
import { createGood } from '../goods/write-goods.ts';

export const createGoodRoute = defineRoute({
  method: 'POST',
  paths: ['/goods/create', '/good/create'],
  write: true,
  operationId: 'createGood',
  summary: 'Create a good; its priority is the highest so far + 1',
  query: projectQuery,
  body: createBody,
  response: GoodSchema,
  errors: WRITE_ERRORS,
  handle: (c, { query, body }) =>
    answerWrite(c, (db, commitBy, once) => createGood(db, { ...query, ...body }, commitBy, once), ApiError.projectNotFound),
});
