import type { Context, MiddlewareHandler } from 'hono';
import type { Adapters, AppEnv } from '../env.ts';

/** Builds a request's adapters; runs after the request id, so `c.var.log` is there. */
export type AdapterFactory = (c: Context<AppEnv>) => Adapters;

/** Puts the request's adapters in `c.var`, where handlers take them from. */
export function withAdapters(make: AdapterFactory): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { db, listCache, publish, defer, auditLog, health } = make(c);
    c.set('db', db);
    c.set('listCache', listCache);
    c.set('publish', publish);
    c.set('defer', defer);
    c.set('auditLog', auditLog);
    c.set('health', health);
    await next();
  };
}
