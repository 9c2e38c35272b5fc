import { Hono } from 'hono';
import { requestId as honoRequestId } from 'hono/request-id';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEnv } from '../env.ts';
import { ApiError } from './api-error.ts';
import { errorResponse } from './error-response.ts';
import { requestId } from './request-id.ts';

const app = new Hono<AppEnv>();
app.use('*', requestId);
app.get('/ok', (c) => {
  c.var.log('handled', { extra: 1 });
  return c.json({ ok: true });
});
app.get('/bad', () => {
  throw ApiError.invalidRequest({ id: 'is required' });
});
app.get('/boom', () => {
  throw new Error('database exploded');
});
app.onError(errorResponse);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

afterEach(() => vi.restoreAllMocks());

describe('x-request-id', () => {
  it('is generated when the request has none, and differs per request', async () => {
    const [a, b] = await Promise.all([app.request('/ok'), app.request('/ok')]);
    expect(a.headers.get('x-request-id')).toMatch(UUID);
    expect(b.headers.get('x-request-id')).toMatch(UUID);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  it("is the caller's own when acceptable, a new one otherwise", async () => {
    const own = await app.request('/ok', { headers: { 'x-request-id': 'trace-42:a.b_c' } });
    expect(own.headers.get('x-request-id')).toBe('trace-42:a.b_c');
    for (const bad of ['x'.repeat(129), 'has space', 'quote"d', 'new\\nline']) {
      const replaced = await app.request('/ok', { headers: { 'x-request-id': bad } });
      expect(replaced.headers.get('x-request-id')).toMatch(UUID);
    }
  });

  it("is on an answer the handler builds as its own Response, which hono/request-id's misses", async () => {
    const ours = new Hono<AppEnv>();
    ours.use('*', requestId);
    ours.get('/raw', () => new Response('page'));
    expect((await ours.request('/raw')).headers.get('x-request-id')).toMatch(UUID);
    // The day this changes, the framework's middleware can take over.
    const framework = new Hono();
    framework.use('*', honoRequestId());
    framework.get('/raw', () => new Response('page'));
    expect((await framework.request('/raw')).headers.get('x-request-id')).toBeNull();
  });

  it('is on error responses too', async () => {
    for (const path of ['/bad', '/boom']) {
      const response = await app.request(path, { headers: { 'x-request-id': 'err-1' } });
      expect(response.headers.get('x-request-id')).toBe('err-1');
    }
  });

  it('is on every structured log line of the request', async () => {
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(JSON.parse(line)));
    await app.request('/ok', { headers: { 'x-request-id': 'log-1' } });
    await app.request('/boom', { headers: { 'x-request-id': 'log-2' } });
    expect(lines).toEqual([
      { msg: 'handled', requestId: 'log-1', extra: 1, time: expect.any(String) },
      { msg: 'request failed', requestId: 'log-2', path: '/boom', error: 'Error: database exploded', time: expect.any(String) },
    ]);
  });
});
