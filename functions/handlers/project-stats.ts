import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { projectExists } from '../goods/exists.ts';
import { ApiError } from '../http/api-error.ts';
import { projectQuery } from '../http/schemas.ts';
import { parseQuery } from '../http/validate.ts';

export const STATS_DAYS = 30;
const DAY_MS = 86_400_000;

/** Changes per day and kind over the last 30 days (UTC), from the audit log. */
export async function projectStatsHandler(c: Context<AppEnv>): Promise<Response> {
  const { projectId } = parseQuery(c, projectQuery);
  if (!(await c.var.db((db) => projectExists(db, projectId)))) throw ApiError.projectNotFound();
  const day = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().slice(0, 10);
  return c.json(await c.var.auditLog.projectStats(projectId, { from: day((STATS_DAYS - 1) * DAY_MS), to: day(0) }));
}
