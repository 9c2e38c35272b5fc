// The Neon serverless driver through the local WebSocket bridge, against the real local Postgres
// (bash scripts/services.sh up). Ports come from scripts/local.env, overridable by the environment.
import { Client, neonConfig } from '@neondatabase/serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { testEnv } from '../../test/support/env.ts';
import { envPort } from '../lib/stack-settings.ts';
import { startPgWsBridge, type PgWsBridge, type PgWsBridgeStats } from './pg-ws-bridge.ts';

const env = testEnv;
const PG_PORT = envPort(env, 'PG_PORT');
const DB_URL = `postgres://goods:goods@127.0.0.1:${PG_PORT}/goods_test`;
const TABLE = `bridge_test_${process.pid}_${Date.now().toString(36)}`;

let bridge: PgWsBridge;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function client(url = DB_URL, pipelineConnect: 'password' | false = 'password'): Promise<Client> {
  const c = new Client(url);
  c.neonConfig.pipelineConnect = pipelineConnect;
  await c.connect();
  return c;
}

async function stats(): Promise<PgWsBridgeStats> {
  const res = await fetch(`http://127.0.0.1:${bridge.port}/stats`);
  expect(res.status).toBe(200);
  return (await res.json()) as PgWsBridgeStats;
}

async function waitForClosed(n: number): Promise<PgWsBridgeStats> {
  for (let i = 0; i < 100; i++) {
    const s = await stats();
    if (s.recentlyClosed.length >= n) return s;
    await sleep(20);
  }
  throw new Error(`bridge did not see ${n} closed connection(s)`);
}

beforeAll(async () => {
  bridge = await startPgWsBridge({ port: 0, pgPorts: [PG_PORT] });
  neonConfig.webSocketConstructor = WebSocket;
  neonConfig.wsProxy = (host, port) => `127.0.0.1:${bridge.port}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = 'password';
  const c = await client();
  await c.query(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, note text NOT NULL)`);
  await c.query(`INSERT INTO ${TABLE} VALUES (1, 'initial')`);
  await c.end();
});

afterAll(async () => {
  if (!bridge) return;
  try {
    const c = await client();
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await c.end();
  } finally {
    await bridge.close();
  }
});

describe('pg-ws-bridge with @neondatabase/serverless', () => {
  it('runs a simple query', async () => {
    const c = await client();
    try {
      const { rows } = await c.query<{ n: number; db: string }>('SELECT 41 + 1 AS n, current_database() AS db');
      expect(rows).toEqual([{ n: 42, db: 'goods_test' }]);
    } finally {
      await c.end();
    }
  });

  it('round-trips non-ASCII text', async () => {
    const text = 'Первая запись ✓ — Ünïcødé 😀 汉字';
    const c = await client();
    try {
      const echo = await c.query<{ s: string; len: number }>('SELECT $1::text AS s, char_length($1::text) AS len', [text]);
      expect(echo.rows[0]).toEqual({ s: text, len: [...text].length });
      await c.query(`INSERT INTO ${TABLE} VALUES (2, $1)`, [text]);
      const stored = await c.query<{ note: string }>(`SELECT note FROM ${TABLE} WHERE id = 2`);
      expect(stored.rows[0]?.note).toBe(text);
    } finally {
      await c.end();
    }
  });

  it('SELECT … FOR UPDATE really blocks a second connection until commit', async () => {
    const a = await client();
    const b = await client();
    const events: string[] = [];
    try {
      await b.query("SET lock_timeout = '10s'");
      await a.query('BEGIN');
      await a.query(`SELECT * FROM ${TABLE} WHERE id = 1 FOR UPDATE`);
      events.push('a locked');

      const blocked = b.query<{ note: string }>(`SELECT note FROM ${TABLE} WHERE id = 1 FOR UPDATE`).then((r) => {
        events.push('b got row');
        return { note: r.rows[0]?.note };
      });

      // Until Postgres shows b waiting for a's row lock, b's query may not even have arrived.
      for (let waiting = 0; waiting === 0; ) {
        const { rows } = await a.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'",
        );
        waiting = rows[0]!.n;
        if (waiting === 0) await sleep(20);
      }
      expect(events).toEqual(['a locked']); // b is still waiting
      await a.query(`UPDATE ${TABLE} SET note = 'changed by a' WHERE id = 1`);
      events.push('a commit');
      await a.query('COMMIT');

      const result = await blocked;
      expect(events).toEqual(['a locked', 'a commit', 'b got row']);
      expect(result.note).toBe('changed by a'); // b saw the committed row, after the lock was released
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('counts client->server frames per connection (/stats)', async () => {
    // Frames of one connection: connect, run one query, end (the last frame is always Terminate).
    async function framesFor(pipelineConnect: 'password' | false, pauseAfterConnect: boolean) {
      expect((await fetch(`http://127.0.0.1:${bridge.port}/stats/reset`, { method: 'POST' })).status).toBe(200);
      const c = new Client(DB_URL);
      c.neonConfig.pipelineConnect = pipelineConnect;
      await c.connect();
      if (pauseAfterConnect) await sleep(20);
      await c.query('SELECT 1');
      await c.end();
      const s = await waitForClosed(1);
      expect(s.totalConnections).toBe(1);
      expect(s.openConnections).toBe(0);
      expect(s.recentlyClosed[0]?.target).toBe(`127.0.0.1:${PG_PORT}`);
      expect(s.clientMessages).toBe(s.recentlyClosed[0]?.clientMessages);
      return s.clientMessages;
    }
    const frames = {
      // connect() resolves at once; startup + password + the query are coalesced into ONE frame
      password: await framesFor('password', false),
      // ...unless the event loop turns between connect() and the query: startup+password, query
      passwordPaused: await framesFor('password', true),
      // startup; password (after the server asked for it); query
      noPipeline: await framesFor(false, false),
    };
    console.log('client->server frames incl. Terminate:', frames);
    expect(frames).toEqual({ password: 2, passwordPaused: 3, noPipeline: 4 });
  });

  it('refuses target addresses that are not allow-listed', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/v1?address=127.0.0.1:22`);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => reject(new Error('upgrade should have been refused')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
    // the driver itself fails to connect to a host:port outside the allow-list
    await expect(client(`postgres://goods:goods@127.0.0.2:${PG_PORT}/goods_test`)).rejects.toThrow();
    expect((await stats()).rejectedUpgrades).toBeGreaterThanOrEqual(2);
  });

  it('refuses to bind to a non-loopback address', async () => {
    await expect(startPgWsBridge({ port: 0, host: '0.0.0.0', pgPorts: [PG_PORT] })).rejects.toThrow(/non-loopback/);
    await expect(startPgWsBridge({ port: 0, host: '::', pgPorts: [PG_PORT] })).rejects.toThrow(/non-loopback/);
  });
});
