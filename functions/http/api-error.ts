import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

/** The one error body of the contract. */
export const ErrorBodySchema = z
  .object({
    code: z.number().int(),
    message: z.string(),
    details: z.record(z.string(), z.string()).meta({ description: 'For a 400: each invalid field and the rule it broke.' }),
  })
  .meta({ id: 'Error' });

export type ErrorDetails = Record<string, string>;

/** The one error type of the API; `errorResponse` turns it into the contract's body. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: number,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(status, { message });
  }

  static invalidRequest(details: ErrorDetails): ApiError {
    return new ApiError(400, 2, 'errors.request.invalid', details);
  }

  static unauthorized(): ApiError {
    return new ApiError(401, 4, 'errors.auth.unauthorized');
  }

  static goodNotFound(): ApiError {
    return new ApiError(404, 3, 'errors.good.notFound');
  }

  static projectNotFound(): ApiError {
    return new ApiError(404, 3, 'errors.project.notFound');
  }

  static routeNotFound(): ApiError {
    return new ApiError(404, 5, 'errors.route.notFound');
  }

  static methodNotAllowed(): ApiError {
    return new ApiError(405, 6, 'errors.method.notAllowed');
  }

  static idempotencyInProgress(): ApiError {
    return new ApiError(409, 9, 'errors.idempotency.inProgress');
  }

  static idempotencyMismatch(): ApiError {
    return new ApiError(422, 10, 'errors.idempotency.mismatch');
  }

  static tooLarge(): ApiError {
    return new ApiError(413, 7, 'errors.request.tooLarge');
  }

  static auditLogUnavailable(): ApiError {
    return new ApiError(503, 8, 'errors.auditLog.unavailable');
  }

  static internal(): ApiError {
    return new ApiError(500, 1, 'errors.internal');
  }
}
