import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { defineRoute } from './define-route.ts';
import { errorResponse } from './error-response.ts';

const seen: unknown[] = [];
const route = defineRoute({
  method: 'POST',
  paths: ['/things'],
  write: false,
  operationId: 'thing',
  summary: 'a test route',
  query: z.object({ n: z.coerce.number().int() }),
  body: z.object({ name: z.string() }),
  response: z.object({}),
  errors: [400],
  handle: async (c, input) => {
    seen.push(input);
    return c.json({});
  },
});

function send(query: string, body: string) {
  const app = new Hono<AppEnv>();
  app.on(route.method, route.paths, route.handler);
  app.onError(errorResponse);
  return app.request(`/things${query}`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
}

describe('a declared route', () => {
  it('gives its handler the query and the body parsed by the declared schemas, whatever the Content-Type', async () => {
    seen.length = 0;
    const response = await send('?n=3&extra=1', '{"name":"a","more":null}');
    expect(response.status).toBe(200);
    expect(seen).toEqual([{ query: { n: 3 }, body: { name: 'a' } }]);
  });

  it('answers a 400 naming the query first, then the body, and never calls its handler', async () => {
    seen.length = 0;
    const badQuery = await send('?n=x', 'not json');
    expect([badQuery.status, ((await badQuery.json()) as { details: object }).details]).toEqual([400, { n: expect.any(String) }]);
    const badBody = await send('?n=1', '{"name":1}');
    expect([badBody.status, ((await badBody.json()) as { details: object }).details]).toEqual([400, { name: expect.any(String) }]);
    expect(seen).toEqual([]);
  });
});
