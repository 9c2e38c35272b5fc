import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppEnv } from '../env.ts';
import { ApiError } from './api-error.ts';

/** When API_TOKEN is configured, the request must carry `Authorization: Bearer <API_TOKEN>`. */
export const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.env.API_TOKEN;
  if (expected) {
    const match = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    // timingSafeEqual hashes both sides first, so neither content nor length leaks through timing.
    if (!match?.[1] || !(await timingSafeEqual(match[1], expected))) throw ApiError.unauthorized();
  }
  await next();
};
