import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from '../env.ts';

/** CORS from CORS_ORIGINS: `*`, or a comma-separated list of allowed origins (unset = no CORS headers). */
export const corsFromEnv: MiddlewareHandler<AppEnv> = async (c, next) => {
  const configured = c.env.CORS_ORIGINS?.trim();
  if (!configured) return next();
  const origins = configured.split(',').map((o) => o.trim()).filter(Boolean);
  const origin = origins.includes('*') ? '*' : origins;
  return cors({
    origin,
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization'],
    maxAge: 600,
  })(c, next);
};
