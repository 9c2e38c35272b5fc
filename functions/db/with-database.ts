import { Client } from '@neondatabase/serverless';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import type { Queryable } from './queryable.ts';
import { configureNeon } from './neon-config.ts';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Runs `work` on a Postgres connection opened for this request only: workerd cannot reuse a
 * socket across requests, so the client is closed after the response via `waitUntil`.
 */
export async function withDatabase<T>(c: Context<AppEnv>, work: (db: Queryable) => Promise<T>): Promise<T> {
  configureNeon(c.env.PG_WS_PROXY);
  const client = new Client({ connectionString: c.env.DATABASE_URL, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', (error) => console.error(JSON.stringify({ msg: 'postgres connection error', error: String(error) })));
  try {
    await client.connect();
    return await work(client);
  } finally {
    c.executionCtx.waitUntil(client.end().catch(() => undefined));
  }
}
