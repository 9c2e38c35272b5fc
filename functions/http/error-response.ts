import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { createLog, errorMessage } from '../../shared/log.ts';
import { AuditLogUnavailable } from '../audit/history.ts';
import { ApiError } from './api-error.ts';

/** Maps any thrown error to the contract's `{code, message, details}` body; never leaks internals. */
export function errorResponse(error: Error, c: Context): Response {
  const apiError = toApiError(error);
  if (apiError.status >= 500) (c.get('log') ?? createLog())('request failed', { path: c.req.path, error: String(error) });
  return c.json({ code: apiError.code, message: apiError.message, details: apiError.details }, apiError.status);
}

function toApiError(error: Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof AuditLogUnavailable) return ApiError.auditLogUnavailable();
  if (error instanceof HTTPException && error.status === 413) return ApiError.tooLarge();
  if (error instanceof HTTPException && error.status < 500) {
    return ApiError.invalidRequest({ request: error.message || 'invalid request' });
  }
  return ApiError.internal();
}

/**
 * Hono hands only `Error`s to `onError` and lets anything else escape as an uncaught exception
 * (workerd's HTML page). Some drivers reject with events or strings: wrap those.
 */
export const wrapNonErrors: MiddlewareHandler = async (_c, next) => {
  try {
    await next();
  } catch (thrown) {
    throw thrown instanceof Error ? thrown : new Error(errorMessage(thrown));
  }
};
