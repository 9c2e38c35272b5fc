import { Pool, type PoolClient, neonConfig } from '@neondatabase/serverless';
import ws from 'ws';
import { configureNeon } from './neon.ts';

/** A Postgres pool for long-running Node processes (migrator, ingest worker), over the same driver as the edge. */
export function createNodePool(databaseUrl: string, wsProxy: string | undefined, max = 4): Pool {
  neonConfig.webSocketConstructor = ws;
  configureNeon(wsProxy, false);
  const pool = new Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 10_000 });
  // A connection that Postgres or the pooler drops (a restart, say) must not crash the process.
  // Idle in the pool: the pool discards it and the next query opens a new one. Checked out
  // between two queries (the relay holds one while it publishes): the client's own error event,
  // which has no other listener then; its next query fails and the caller rolls back.
  const lost = (error: Error) => console.error(JSON.stringify({ msg: 'postgres connection lost', error: error.message }));
  pool.on('error', lost);
  pool.on('connect', (client: PoolClient) => client.on('error', lost));
  return pool;
}
