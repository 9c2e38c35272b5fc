import type { Handler } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from './env.ts';
import { GoodSchema, GoodsPageSchema, PrioritiesSchema, RemovedGoodSchema } from './goods/types.ts';
import { HistorySchema, ProjectStatsSchema } from './audit/history.ts';
import { createGoodHandler } from './handlers/create-good.ts';
import { goodHistoryHandler } from './handlers/good-history.ts';
import { projectStatsHandler } from './handlers/project-stats.ts';
import { healthzHandler } from './handlers/healthz.ts';
import { listGoodsHandler } from './handlers/list-goods.ts';
import { removeGoodHandler } from './handlers/remove-good.ts';
import { reprioritizeGoodHandler } from './handlers/reprioritize-good.ts';
import { updateGoodHandler } from './handlers/update-good.ts';
import { HealthSchema } from './health/checks.ts';
import { createBody, goodQuery, historyQuery, listQuery, projectQuery, reprioritizeBody, updateBody } from './http/schemas.ts';

/** An endpoint: how it is served, and what /openapi.json says of it. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The canonical path first, then the original service's spellings. */
  paths: string[];
  handler: Handler<AppEnv>;
  /** Writes need the API token (when one is set), have a body limit and take an Idempotency-Key. */
  write: boolean;
  operationId: string;
  summary: string;
  query?: z.ZodObject;
  body?: z.ZodObject;
  /** The 200 answer. */
  response: z.ZodType;
  /** Statuses answered with the error body, besides 500. */
  errors: number[];
  /** Other answers, by status, that are not the error body. */
  otherResponses?: Record<number, { description: string; schema: z.ZodType }>;
}

const WRITE_ERRORS = [400, 401, 404, 409, 413, 422];

export const routes: Route[] = [
  {
    method: 'POST',
    paths: ['/goods/create', '/good/create'],
    handler: createGoodHandler,
    write: true,
    operationId: 'createGood',
    summary: 'Create a good; its priority is the highest so far + 1',
    query: projectQuery,
    body: createBody,
    response: GoodSchema,
    errors: WRITE_ERRORS,
  },
  {
    method: 'PATCH',
    paths: ['/goods/update', '/good/update'],
    handler: updateGoodHandler,
    write: true,
    operationId: 'updateGood',
    summary: 'Rename a good, and change its description if one is given',
    query: goodQuery,
    body: updateBody,
    response: GoodSchema,
    errors: WRITE_ERRORS,
  },
  {
    method: 'DELETE',
    paths: ['/goods/remove', '/good/remove'],
    handler: removeGoodHandler,
    write: true,
    operationId: 'removeGood',
    summary: 'Remove a good (soft delete)',
    query: goodQuery,
    response: RemovedGoodSchema,
    errors: WRITE_ERRORS,
  },
  {
    method: 'PATCH',
    paths: ['/goods/reprioritize', '/good/reprioritiize', '/good/reprioritize', '/goods/reprioritiize'],
    handler: reprioritizeGoodHandler,
    write: true,
    operationId: 'reprioritizeGood',
    summary: 'Move a good to a priority; every good at or after it moves down by one',
    query: goodQuery,
    body: reprioritizeBody,
    response: PrioritiesSchema,
    errors: WRITE_ERRORS,
  },
  {
    method: 'GET',
    paths: ['/goods/list'],
    handler: listGoodsHandler,
    write: false,
    operationId: 'listGoods',
    summary: 'A page of goods by priority, removed ones included; the first 100 pages of sizes 1–10, 20, 50 and 100 are cached for 60 s',
    query: listQuery,
    response: GoodsPageSchema,
    errors: [400],
  },
  {
    method: 'GET',
    paths: ['/goods/history'],
    handler: goodHistoryHandler,
    write: false,
    operationId: 'goodHistory',
    summary: 'Every logged state of one good, newest first, from the audit log (ClickHouse)',
    query: historyQuery,
    response: HistorySchema,
    errors: [400, 404, 503],
  },
  {
    method: 'GET',
    paths: ['/projects/stats'],
    handler: projectStatsHandler,
    write: false,
    operationId: 'projectStats',
    summary: 'Changes per day and kind in a project over the last 30 days, from the audit log (ClickHouse)',
    query: projectQuery,
    response: ProjectStatsSchema,
    errors: [400, 404, 503],
  },
  {
    method: 'GET',
    paths: ['/healthz'],
    handler: healthzHandler,
    write: false,
    operationId: 'health',
    summary: 'The state of each dependency, its error text only with the API token; 503 when a required one is down',
    response: HealthSchema,
    errors: [],
    otherResponses: { 503: { description: 'A required dependency is down', schema: HealthSchema } },
  },
];
