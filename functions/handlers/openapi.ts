import type { Handler } from 'hono';
import type { AppEnv } from '../env.ts';
import { openApiDocument } from '../openapi/document.ts';
import type { Route } from '../http/define-route.ts';

/** GET /openapi.json: the document of `routes`, built on first use. */
export function openApiHandler(routes: readonly Route[]): Handler<AppEnv> {
  let body: string | undefined;
  return (c) => {
    body ??= JSON.stringify(openApiDocument(routes));
    return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8' });
  };
}
