import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './env.ts';
import { ApiError } from './http/api-error.ts';
import { corsFromEnv } from './http/cors.ts';
import { errorResponse, wrapNonErrors } from './http/error-response.ts';
import { idempotencyKey } from './http/idempotency-key.ts';
import { jsonCharset } from './http/json-charset.ts';
import { type AdapterFactory, withAdapters } from './http/adapters.ts';
import { requestId } from './http/request-id.ts';
import { requireToken } from './http/require-token.ts';
import { routes } from './routes.ts';
import { openApiHandler } from './handlers/openapi.ts';

const MAX_BODY_BYTES = 64 * 1024;

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw ApiError.tooLarge();
  },
});

/** The API, its adapters built by `adapters` for each request: the Worker's, or a test's fakes. */
export function createApp(adapters: AdapterFactory): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const allowedMethods = new Map<string, string[]>();
  app.use('*', wrapNonErrors, requestId, withAdapters(adapters), corsFromEnv, jsonCharset);
  for (const route of routes) {
    for (const path of route.paths) allowedMethods.set(path, [...(allowedMethods.get(path) ?? []), route.method]);
    if (route.write) app.on(route.method, route.paths, requireToken, limitBody, idempotencyKey, route.handler);
    else app.on(route.method, route.paths, route.handler);
  }

  app.get('/openapi.json', openApiHandler(routes));
  allowedMethods.set('/openapi.json', ['GET']);

  app.notFound((c) => {
    const allowed = allowedMethods.get(c.req.path);
    if (!allowed) throw ApiError.routeNotFound();
    c.header('Allow', allowed.join(', '));
    throw ApiError.methodNotAllowed();
  });
  app.onError(errorResponse);
  return app;
}
