import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { portIsFree, waitForHttp } from '../scripts/lib/processes.ts';
import { api, sendAllUntilAnswered } from './support/api.ts';
import { ROOT, testEnv } from './support/env.ts';
import { waitFor } from './support/wait.ts';

// `npm start` on ports of its own (test/test.env's START_*), on the suite's data (its database,
// cache namespace, stream and ClickHouse database, so that nothing lands in development data),
// then Ctrl-C.
const startPort = (name: string) => Number(testEnv[`START_${name}`]);
const ports = {
  API_PORT: startPort('API_PORT'),
  PG_WS_BRIDGE_PORT: startPort('PG_WS_BRIDGE_PORT'),
  REDIS_REST_PORT: startPort('REDIS_REST_PORT'),
  INGEST_HTTP_PORT: startPort('INGEST_HTTP_PORT'),
  INSPECTOR_PORT: startPort('INSPECTOR_PORT'),
};

const SUITE_DATA = [
  'DATABASE_URL',
  'DIRECT_URL',
  'CACHE_NAMESPACE',
  'NATS_STREAM',
  'NATS_SUBJECT',
  'CLICKHOUSE_DATABASE',
  'INGEST_CONSUMER',
];

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('serves a healthy API with the API_TOKEN it was given, and Ctrl-C leaves no process and no port behind', async () => {
    const token = 'start-test-token';
    const env = {
      ...process.env,
      API_TOKEN: token,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      PG_WS_PROXY: `127.0.0.1:${ports.PG_WS_BRIDGE_PORT}`,
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${ports.REDIS_REST_PORT}`,
      ...Object.fromEntries(SUITE_DATA.map((name) => [name, testEnv[name]!])),
    };
    const child = spawn('bash', ['scripts/start.sh'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitForHttp(`http://127.0.0.1:${ports.API_PORT}/healthz`, 90_000, () => `\n${output.slice(-2000)}`);
      const health = await fetch(`http://127.0.0.1:${ports.API_PORT}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      await waitForHttp(`http://127.0.0.1:${ports.INGEST_HTTP_PORT}/metrics`, 30_000, () => `\n${output.slice(-2000)}`);
      // A secret set in the environment reaches the Worker: writes need it. (An empty body, so
      // that nothing lands in the development database: 401 without the token, 400 past it.)
      const create = (headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${ports.API_PORT}/goods/create?projectId=1`, { method: 'POST', headers, body: '{}' });
      expect((await create({})).status).toBe(401);
      expect((await create({ authorization: `Bearer ${token}` })).status).toBe(400);
      // A burst: the bundle serves it as deployed, with no reloading proxy in front to drop any.
      // On a busy machine a create can meet its deadline in the pooler's queue: it answers the
      // contract's clean 500, has written nothing, and the client sends it again with its key.
      const burstId = randomUUID().slice(0, 8);
      const created = await sendAllUntilAnswered(500, (i) =>
        api('POST', '/goods/create', {
          base: `http://127.0.0.1:${ports.API_PORT}`,
          query: { projectId: 1 },
          json: { name: `start-burst-${i}` },
          headers: { authorization: `Bearer ${token}`, 'idempotency-key': `start-${burstId}-${i}` },
        }),
      );
      expect(created.filter((a) => a.status !== 200)).toEqual([]);
    } finally {
      if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGINT');
    }
    expect(await exited, output.slice(-3000)).toBe(0);
    await waitFor('the process group to be gone', async () => !groupAlive(child.pid!), 15_000);
    for (const port of Object.values(ports)) {
      expect(await waitFor(`port ${port} to be free`, () => portIsFree(port), 10_000)).toBe(true);
    }
  }, 150_000);
});
