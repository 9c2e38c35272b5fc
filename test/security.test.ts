import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LEAKED_INTERNALS } from './support/answer-check.ts';
import { bridgeStats, resetBridgeStats } from './support/api.ts';
import { closeTestDb, goodsSnapshot } from './support/db.ts';
import { type ExtraApi, startExtraApi } from './support/extra-api.ts';
import { resetState } from './support/reset.ts';

const TOKEN = 'correct horse battery staple';
const ORIGIN = 'https://shop.example';
let extra: ExtraApi;

beforeAll(async () => {
  extra = await startExtraApi(3358, { API_TOKEN: TOKEN, CORS_ORIGINS: `${ORIGIN}, https://admin.example` });
});
afterAll(async () => {
  await extra.stop();
  await closeTestDb();
});
beforeEach(resetState);

function create(headers: Record<string, string> = {}) {
  return fetch(`${extra.url}/goods/create?projectId=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ name: 'guarded' }),
  });
}

describe('API token', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer nope' }],
    ['the token with one character more', { authorization: `Bearer ${TOKEN}x` }],
    ['the right token in the wrong scheme', { authorization: `Basic ${TOKEN}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('refuses a write with %s: 401 in the error shape, nothing written', async (_, headers) => {
    const response = await create(headers);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 4, message: 'errors.auth.unauthorized', details: {} });
    expect(await goodsSnapshot()).toEqual([]);
  });

  it('accepts a write with the token', async () => {
    const response = await create({ authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect((await goodsSnapshot()).length).toBe(1);
  });

  it('guards every write path and alias, but not reads', async () => {
    for (const [method, path] of [
      ['PATCH', '/goods/update?id=1&projectId=1'],
      ['PATCH', '/good/update?id=1&projectId=1'],
      ['DELETE', '/goods/remove?id=1&projectId=1'],
      ['PATCH', '/good/reprioritiize?id=1&projectId=1'],
      ['POST', '/good/create?projectId=1'],
    ]) {
      expect((await fetch(`${extra.url}${path}`, { method })).status, `${method} ${path}`).toBe(401);
    }
    expect((await fetch(`${extra.url}/goods/list`)).status).toBe(200);
    expect((await fetch(`${extra.url}/healthz`)).status).toBe(200);
  });
});

describe('/healthz', () => {
  it('a flood of health checks opens about a connection per dependency a second, and shows no error text', async () => {
    await resetBridgeStats();
    const started = Date.now();
    const responses: { status: number; text: string }[] = [];
    // 100 clients of 10 requests each: 1,000 sockets at once could exhaust the test's file descriptors.
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        for (let i = 0; i < 10; i++) {
          const response = await fetch(`${extra.url}/healthz`);
          responses.push({ status: response.status, text: await response.text() });
        }
      }),
    );
    expect(responses.length).toBe(1_000);
    const seconds = Math.ceil((Date.now() - started) / 1_000);
    expect(responses.filter((r) => r.status !== 200)).toEqual([]);
    expect(responses.filter((r) => r.text.includes('"error"'))).toEqual([]);
    const stats = await bridgeStats();
    expect(stats.postgres.totalConnections).toBeLessThanOrEqual(seconds + 2);
    expect(stats.redis.requests).toBeLessThanOrEqual(seconds + 2);
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin', async () => {
    const response = await fetch(`${extra.url}/goods/create?projectId=1`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('gives no allow-origin to another origin', async () => {
    const response = await fetch(`${extra.url}/goods/list`, { headers: { origin: 'https://evil.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('error bodies', () => {
  it('carry no stack traces, SQL or driver text', async () => {
    const bodies = await Promise.all(
      [
        fetch(`${extra.url}/goods/update?id=1&projectId=1`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: '{"name": ["x"]}',
        }),
        fetch(`${extra.url}/goods/update?id=99&projectId=1`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: '{"name": "x"}',
        }),
        fetch(`${extra.url}/goods/list?limit=1;DROP TABLE goods`),
      ].map(async (r) => (await r).text()),
    );
    for (const body of bodies) {
      expect(body).not.toMatch(LEAKED_INTERNALS);
      expect(Object.keys(JSON.parse(body)).sort()).toEqual(['code', 'details', 'message']);
    }
  });
});
