import { ProjectStatsSchema } from '../audit/history.ts';
import { projectExists } from '../goods/exists.ts';
import { ApiError } from '../http/api-error.ts';
import { defineRoute } from '../http/define-route.ts';
import { projectQuery } from '../http/schemas.ts';

export const STATS_DAYS = 30;
const DAY_MS = 86_400_000;

export const projectStatsRoute = defineRoute({
  method: 'GET',
  paths: ['/projects/stats'],
  write: false,
  operationId: 'projectStats',
  summary: 'Changes per day and kind in a project over the last 30 days, from the audit log (ClickHouse)',
  query: projectQuery,
  response: ProjectStatsSchema,
  errors: [400, 404, 503],
  handle: async (c, { query: { projectId } }) => {
    if (!(await c.var.db((db) => projectExists(db, projectId)))) throw ApiError.projectNotFound();
    const day = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().slice(0, 10);
    return c.json(await c.var.auditLog.projectStats(projectId, { from: day((STATS_DAYS - 1) * DAY_MS), to: day(0) }));
  },
});
