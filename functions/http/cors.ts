import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from '../env.ts';

type Middleware = MiddlewareHandler<AppEnv>;

// One middleware per distinct CORS_ORIGINS value, built on first use rather than per request.
const byOrigins = new Map<string, Middleware>();

function corsFor(configured: string): Middleware {
  const origins = configured
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return cors({
    origin: origins.includes('*') ? '*' : origins,
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
    exposeHeaders: ['X-Request-Id'],
    maxAge: 600,
  });
}

/** CORS from CORS_ORIGINS: `*`, or a comma-separated list of allowed origins (unset = no CORS headers). */
export const corsFromEnv: Middleware = async (c, next) => {
  const configured = c.env.CORS_ORIGINS?.trim();
  if (!configured) return next();
  let middleware = byOrigins.get(configured);
  if (!middleware) {
    middleware = corsFor(configured);
    byOrigins.set(configured, middleware);
  }
  return middleware(c, next);
};
