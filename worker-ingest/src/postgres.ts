import { Pool, neonConfig } from '@neondatabase/serverless';
import ws from 'ws';
import { configureNeon } from '../../functions/db/neon-config.ts';

/** A Postgres pool for long-running Node processes (migrator, ingest worker), over the same driver as the edge. */
export function createNodePool(databaseUrl: string, wsProxy: string | undefined, max = 4): Pool {
  neonConfig.webSocketConstructor = ws;
  configureNeon(wsProxy, false);
  const pool = new Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 10_000 });
  // An idle connection that Postgres drops (a restart, say) must not crash the process: the
  // pool discards it and the next query opens a new one.
  pool.on('error', (error: Error) => console.error(JSON.stringify({ msg: 'postgres idle connection lost', error: error.message })));
  return pool;
}
