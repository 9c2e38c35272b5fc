import { Client, neonConfig } from '@neondatabase/serverless';
import { FetchWebSocket } from './fetch-websocket.ts';
import { createLog, errorMessage, type Log } from '../../shared/log.ts';
import { configureNeon } from '../../shared/neon.ts';

/**
 * A Postgres client for one request inside workerd; connecting, and bounding how long that and
 * the queries may take, is the caller's job.
 */
export function createWorkerClient(env: Env, log: Log = createLog()): Client {
  configureNeon(env.PG_WS_PROXY);
  neonConfig.webSocketConstructor = FetchWebSocket as unknown as typeof WebSocket;
  const client = new Client({ connectionString: env.DATABASE_URL });
  client.on('error', (error) => log('postgres connection error', { error: errorMessage(error) }));
  return client;
}
