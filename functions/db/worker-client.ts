import { Client, neonConfig } from '@neondatabase/serverless';
import type { Env } from '../env.ts';
import { FetchWebSocket } from './fetch-websocket.ts';
import { configureNeon } from './neon-config.ts';

/** A Postgres client for one request inside workerd; connecting is the caller's job. */
export function createWorkerClient(env: Env, connectTimeoutMs: number): Client {
  configureNeon(env.PG_WS_PROXY);
  neonConfig.webSocketConstructor = FetchWebSocket as unknown as typeof WebSocket;
  const client = new Client({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: connectTimeoutMs });
  client.on('error', (error) => console.error(JSON.stringify({ msg: 'postgres connection error', error: errorText(error) })));
  return client;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
