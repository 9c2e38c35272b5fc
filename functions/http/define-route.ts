import type { Context, Handler } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { parseJsonBody, parseQuery } from './validate.ts';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route's handler receives: its query and body, validated against the route's schemas. */
export interface RouteInput<Q, B> {
  query: Parsed<Q>;
  body: Parsed<B>;
}

/** An endpoint, declared once: how it is served, what it validates, what /openapi.json says of it. */
export interface RouteSpec<Q extends z.ZodObject | undefined, B extends z.ZodObject | undefined> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The canonical path first, then the original service's spellings. */
  paths: string[];
  /** Writes need the API token (when one is set), have a body limit and take an Idempotency-Key. */
  write: boolean;
  operationId: string;
  summary: string;
  query?: Q;
  body?: B;
  /** The 200 answer. */
  response: z.ZodType;
  /** Statuses answered with the error body, besides 500. */
  errors: number[];
  /** Other answers, by status, that are not the error body. */
  otherResponses?: Record<number, { description: string; schema: z.ZodType }>;
  handle: (c: Context<AppEnv>, input: RouteInput<Q, B>) => Promise<Response>;
}

/** The statuses a write answers with the error body, besides 500. */
export const WRITE_ERRORS = [400, 401, 404, 409, 413, 422];

/** A declared route as the app and the OpenAPI document use it. */
export type Route = Omit<RouteSpec<z.ZodObject | undefined, z.ZodObject | undefined>, 'handle'> & { handler: Handler<AppEnv> };

/**
 * The one place a route's schemas meet its handler: the query is validated first, then the body
 * (read as JSON whatever its Content-Type), and the handler gets both typed.
 */
export function defineRoute<Q extends z.ZodObject | undefined = undefined, B extends z.ZodObject | undefined = undefined>(
  spec: RouteSpec<Q, B>,
): Route {
  const { handle, ...declared } = spec;
  return {
    ...declared,
    handler: async (c) => {
      const query = (spec.query ? parseQuery(c, spec.query) : undefined) as Parsed<Q>;
      const body = (spec.body ? await parseJsonBody(c, spec.body) : undefined) as Parsed<B>;
      return handle(c, { query, body });
    },
  };
}
