import { describe, expect, it, vi } from 'vitest';
import { apiRequest } from '../../test/support/api.ts';
import { fakeAdapters } from '../../test/support/fake-adapters.ts';
import { sendInProcess as send } from '../../test/support/in-process.ts';
import { createApp } from '../app.ts';

const TOKEN = 's3cret';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('/healthz, with fake adapters', () => {
  it('every dependency up: 200, each with its status and whether it is required', async () => {
    const response = await send(fakeAdapters(), 'GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
    expect(Object.entries(response.body.dependencies).map(([name, d]: [string, any]) => [name, d.status, d.required])).toEqual([
      ['postgres', 'up', true],
      ['redis', 'up', true],
      ['nats', 'up', true],
      ['clickhouse', 'up', false],
    ]);
  });

  it('a required dependency down: 503; its error text only for a caller presenting the token', async () => {
    const fakes = fakeAdapters();
    fakes.down.set('nats', 'nats: connection refused');
    const health = (headers: Record<string, string>, env: Partial<Env> = { API_TOKEN: TOKEN }) =>
      send(fakes, 'GET', '/healthz', { headers }, env);

    const withToken = await health(bearer(TOKEN));
    expect(withToken.status).toBe(503);
    expect(withToken.body.status).toBe('unavailable');
    expect(withToken.body.dependencies.nats).toMatchObject({ status: 'down', error: 'nats: connection refused', required: true });
    expect(withToken.body.dependencies.postgres).toMatchObject({ status: 'up', required: true });

    for (const [headers, env] of [
      [{}, undefined],
      [bearer('wrong'), undefined],
      [{ authorization: `Basic ${TOKEN}` }, undefined],
      [bearer(TOKEN), {}], // no token configured: nobody presents it
    ] as const) {
      const response = await health(headers, env);
      expect(response.status).toBe(503);
      expect(response.body.dependencies.nats.status).toBe('down');
      expect(response.text).not.toMatch(/"error"|refused/);
    }
  });

  it('ClickHouse down is reported, but the API is still healthy', async () => {
    const fakes = fakeAdapters();
    fakes.down.set('clickhouse', 'CLICKHOUSE_URL is not set');
    const response = await send(fakes, 'GET', '/healthz', { headers: bearer(TOKEN) }, { API_TOKEN: TOKEN });
    expect(response.status).toBe(200);
    expect(response.body.dependencies.clickhouse).toMatchObject({ status: 'down', error: 'CLICKHOUSE_URL is not set', required: false });
  });

  it('1,000 concurrent health checks within a second share one probe of each dependency; the next second probes again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] }); // the clock stands still: every request falls within one second
    try {
      const fakes = fakeAdapters();
      const app = createApp(fakes.adapters);
      const healthz = () => app.fetch(apiRequest('GET', '/healthz', { base: 'http://edge.test' }), {});
      const responses = await Promise.all(Array.from({ length: 1_000 }, healthz));
      expect(responses.map((r) => r.status)).toEqual(Array(1_000).fill(200));
      expect(fakes.probed).toEqual({ postgres: 1, redis: 1, nats: 1, clickhouse: 1 });

      vi.advanceTimersByTime(999);
      await healthz();
      expect(fakes.probed.postgres).toBe(1);
      vi.advanceTimersByTime(1);
      await healthz();
      expect(fakes.probed).toEqual({ postgres: 2, redis: 2, nats: 2, clickhouse: 2 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not share probe results between configurations', async () => {
    const [up, down] = [fakeAdapters(), fakeAdapters()];
    down.down.set('postgres', 'password authentication failed');
    expect((await send(up, 'GET', '/healthz')).status).toBe(200);
    expect((await send(down, 'GET', '/healthz')).status).toBe(503);
    expect((await send(up, 'GET', '/healthz')).status).toBe(200);
    expect([up.probed.postgres, down.probed.postgres]).toEqual([1, 1]);
  });
});
