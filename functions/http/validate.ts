// Validation with the zod schemas of http/schemas.ts, by hand rather than through
// @hono/zod-validator: Hono's json validator reads a body only when its Content-Type is JSON,
// and the contract reads it whatever the header says.
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, type ErrorDetails } from './api-error.ts';

function detailsOf(error: z.ZodError, root: string): ErrorDetails {
  const details: ErrorDetails = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.join('.') : root;
    details[field] ??= issue.message;
  }
  return details;
}

function parseWith<S extends z.ZodType>(schema: S, input: unknown, root: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ApiError.invalidRequest(detailsOf(result.error, root));
  return result.data;
}

/** Validates the query string; only the schema's own parameters are read. */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.query(), 'query');
}

/** A field sent as `null` is treated as absent. */
function withoutNulls(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
}

/**
 * Reads the body as a JSON object, whatever its Content-Type says (clients of the original
 * service send none, or curl's form type), and validates it; anything else is a 400 in the
 * contract's shape.
 */
export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch (error) {
    if (error instanceof SyntaxError) throw ApiError.invalidRequest({ body: 'is not valid JSON' });
    throw error;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ApiError.invalidRequest({ body: 'must be a JSON object' });
  }
  return parseWith(schema, withoutNulls(body as Record<string, unknown>), 'body');
}
