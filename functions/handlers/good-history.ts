import { HistorySchema } from '../audit/history.ts';
import { goodExists } from '../goods/exists.ts';
import { ApiError } from '../http/api-error.ts';
import { defineRoute } from '../http/define-route.ts';
import { historyQuery } from '../http/schemas.ts';

export const goodHistoryRoute = defineRoute({
  method: 'GET',
  paths: ['/goods/history'],
  write: false,
  operationId: 'goodHistory',
  summary: 'Every logged state of one good, newest first, from the audit log (ClickHouse)',
  query: historyQuery,
  response: HistorySchema,
  errors: [400, 404, 503],
  handle: async (c, { query: { id, projectId, limit, offset } }) => {
    if (!(await c.var.db((db) => goodExists(db, { id, projectId })))) throw ApiError.goodNotFound();
    return c.json(await c.var.auditLog.history({ id, projectId }, { limit, offset }));
  },
});
