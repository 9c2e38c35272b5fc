import { Pool, neonConfig } from '@neondatabase/serverless';
import ws from 'ws';
import { configureNeon } from '../../functions/db/neon-config.ts';

/** A Postgres pool for long-running Node processes (migrator, ingest worker), over the same driver as the edge. */
export function createNodePool(databaseUrl: string, wsProxy: string | undefined, max = 4): Pool {
  neonConfig.webSocketConstructor = ws;
  configureNeon(wsProxy, false);
  return new Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 10_000 });
}
