import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError } from './api-error.ts';

/** Maps any thrown error to the contract's `{code, message, details}` body; never leaks internals. */
export function errorResponse(error: Error, c: Context): Response {
  const apiError = toApiError(error);
  if (apiError.status >= 500) console.error(JSON.stringify({ msg: 'request failed', path: c.req.path, error: String(error) }));
  return c.json({ code: apiError.code, message: apiError.message, details: apiError.details }, apiError.status);
}

function toApiError(error: Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException && error.status === 413) return ApiError.tooLarge();
  if (error instanceof HTTPException && error.status < 500) {
    return ApiError.invalidRequest({ request: error.message || 'invalid request' });
  }
  return ApiError.internal();
}
