import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/api.ts';
import { ROOT, testEnv } from './support/env.ts';
import { type ExtraApi, startExtraApi } from './support/extra-api.ts';
import { services } from './support/services.ts';
import { waitFor } from './support/wait.ts';

const run = promisify(execFile);

async function migrateWith(databaseUrl: string): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  try {
    await run(process.execPath, ['--import', 'tsx', join(ROOT, 'shared/migrate/cli.ts'), 'postgres'], {
      cwd: ROOT,
      env: { ...process.env, DIRECT_URL: databaseUrl, PG_WS_PROXY: `127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}` },
      timeout: 30_000,
    });
    return { code: 0, stderr: '', ms: Date.now() - started };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr, ms: Date.now() - started };
  }
}

describe('misconfiguration fails fast with a clear message', () => {
  it('a setting that is not a Postgres URL is named, with its rule and without its value', async () => {
    const result = await migrateWith('mysql://goods:secret-password@127.0.0.1/goods');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/DIRECT_URL \(value not shown\): expected postgres:\/\//);
    expect(result.stderr).not.toContain('secret-password');
  });

  it('a wrong password', async () => {
    const result = await migrateWith(`postgres://goods:wrong@127.0.0.1:${testEnv.PG_PORT}/goods_test`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/password authentication failed/);
    expect(result.ms).toBeLessThan(15_000);
  });

  it('a database that does not exist', async () => {
    const result = await migrateWith(`postgres://goods:goods@127.0.0.1:${testEnv.PG_PORT}/no_such_db`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/database "no_such_db" does not exist/);
  });

  it('an address nothing listens on', async () => {
    const result = await migrateWith('postgres://goods:goods@127.0.0.1:1/goods');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/postgres migrations failed: .+/);
    expect(result.ms).toBeLessThan(15_000);
  });
});

describe('the API with a wrong DATABASE_URL', () => {
  const TOKEN = 'failures-token';
  let extra: ExtraApi;

  beforeAll(async () => {
    extra = await startExtraApi(3357, {
      DATABASE_URL: `postgres://goods:wrong@127.0.0.1:${testEnv.PG_PORT}/goods_test`,
      API_TOKEN: TOKEN,
    });
  });
  afterAll(() => extra.stop());

  it('answers writes and lists promptly with a 500 in the error shape, and /healthz names the cause to the token', async () => {
    const base = extra.url;
    const started = Date.now();
    const create = await fetch(`${base}/goods/create?projectId=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: '{"name":"x"}',
    });
    expect(create.status).toBe(500);
    expect(await create.json()).toEqual({ code: 1, message: 'errors.internal', details: {} });
    expect(Date.now() - started).toBeLessThan(5_000);

    const health = await fetch(`${base}/healthz`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(health.status).toBe(503);
    const body = (await health.json()) as { dependencies: Record<string, { status: string; error?: string }> };
    expect(body.dependencies.postgres).toMatchObject({ status: 'down', error: 'password authentication failed for user "goods"' });

    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      const anonymous = await fetch(`${base}/healthz`, { headers });
      expect(anonymous.status).toBe(503);
      const text = await anonymous.text();
      expect(JSON.parse(text).dependencies.postgres.status).toBe('down');
      expect(text).not.toMatch(/"error"|password/);
    }
  });
});

describe('a required service down', () => {
  afterAll(() => services('up', 'nats'));

  it('turns /healthz into a prompt 503 naming it, and back to 200 once it returns', async () => {
    await services('down', 'nats');
    const started = Date.now();
    // A probe result may be a second old: one from before NATS went down is still shared.
    const down = await waitFor('healthz 503', async () => {
      const response = await api('GET', '/healthz');
      return response.status === 503 && response;
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(down.body.status).toBe('unavailable');
    expect(down.body.dependencies.nats.status).toBe('down');
    expect(down.body.dependencies.nats).not.toHaveProperty('error'); // no API token is configured: nobody presents it
    expect(down.body.dependencies.postgres.status).toBe('up');

    await services('up', 'nats');
    await waitFor('healthz 200', async () => (await api('GET', '/healthz')).status === 200);
  });
});
