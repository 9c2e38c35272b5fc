import type { Context, MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppEnv } from '../env.ts';
import { ApiError } from './api-error.ts';

/** Whether the request carries `Authorization: Bearer <API_TOKEN>`; never when no API_TOKEN is configured. */
export async function presentsToken(c: Context<AppEnv>): Promise<boolean> {
  const expected = c.env.API_TOKEN;
  if (!expected) return false;
  const match = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
  // timingSafeEqual hashes both sides first, so neither content nor length leaks through timing.
  return !!match?.[1] && (await timingSafeEqual(match[1], expected));
}

/** When API_TOKEN is configured, the request must carry `Authorization: Bearer <API_TOKEN>`. */
export const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.env.API_TOKEN && !(await presentsToken(c))) throw ApiError.unauthorized();
  await next();
};
