import type { MiddlewareHandler } from 'hono';

/** The contract names the charset of every JSON body explicitly. */
export const jsonCharset: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.headers.get('content-type') === 'application/json') {
    c.res.headers.set('content-type', 'application/json; charset=utf-8');
  }
};
