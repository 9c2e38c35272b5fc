import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@neondatabase/serverless';
import ws from 'ws';
import { bridgeProcesses } from '../../scripts/lib/bridge-processes.ts';
import { freePort } from '../../scripts/lib/processes.ts';
import { createNodePool } from '../../shared/node-postgres.ts';
import { databaseUrl, ROOT, testEnv } from './env.ts';

const run = promisify(execFile);

/** One row of PgBouncer's `SHOW POOLS` (client and server connections of a database/user pair). */
export interface PoolRow {
  database: string;
  user: string;
  cl_active: number;
  cl_waiting: number;
  sv_active: number;
  sv_idle: number;
  sv_used: number;
  sv_login: number;
}

/** One row of `SHOW STATS` (totals since PgBouncer started). */
export interface StatsRow {
  database: string;
  total_xact_count: string;
  total_query_count: string;
}

/** Runs a command on PgBouncer's admin console (database `pgbouncer`, as the user of DATABASE_URL). */
export async function adminConsole<R>(command: string): Promise<R[]> {
  const pool = createNodePool(databaseUrl('DATABASE_URL', 'pgbouncer'), `127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}`, 1);
  try {
    return (await pool.query(command)).rows as R[];
  } finally {
    await pool.end();
  }
}

export const testDatabase = () => new URL(testEnv.DATABASE_URL!).pathname.slice(1);

/** The pooler's pool for the suite's database. */
export async function testPool(): Promise<PoolRow> {
  const rows = await adminConsole<PoolRow>('SHOW POOLS');
  const row = rows.find((r) => r.database === testDatabase());
  if (!row) throw new Error(`PgBouncer has no pool for ${testDatabase()}: ${JSON.stringify(rows)}`);
  return row;
}

/** Transactions the pooler has run for the suite's database since it started. */
export async function testPoolTransactions(): Promise<number> {
  const rows = await adminConsole<StatsRow>('SHOW STATS');
  return Number(rows.find((r) => r.database === testDatabase())?.total_xact_count ?? 0);
}

/** At most this many Postgres sessions serve one pool: `default_pool_size` + `reserve_pool_size`. */
export async function serverSessionCap(): Promise<number> {
  const rows = await adminConsole<{ key: string; value: string }>('SHOW CONFIG');
  const setting = (key: string) => Number(rows.find((r) => r.key === key)?.value);
  return setting('default_pool_size') + setting('reserve_pool_size');
}

/** Postgres sessions the pooler holds for the suite's database. */
export const serverSessions = (pool: PoolRow) => pool.sv_active + pool.sv_idle + pool.sv_used + pool.sv_login;

export interface OwnPooler {
  /** DATABASE_URL for the suite's database through this pooler. */
  url: string;
  /** PG_WS_PROXY of a bridge that reaches it. */
  wsProxy: string;
  /** A client connected through it (configured on its own: the driver's global settings stay the suite's). */
  connect(): Promise<Client>;
  stop(): Promise<void>;
}

/**
 * A PgBouncer of its own in front of the suite's Postgres (started by scripts/services.sh, as
 * the suite's), behind a bridge of its own: for a tiny pool, or a queue wait such as Neon's.
 */
export async function startOwnPooler(pool: { size: number; queryWaitTimeoutS: number }): Promise<OwnPooler> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'own-pooler-'));
  chmodSync(dataDir, 0o755); // the postgres user runs PgBouncer from here
  const env = {
    ...process.env,
    ...testEnv,
    SERVICES_DATA_DIR: dataDir,
    PGBOUNCER_PORT: String(port),
    PGBOUNCER_POOL_SIZE: String(pool.size),
    PGBOUNCER_RESERVE_POOL_SIZE: '0',
    PGBOUNCER_QUERY_WAIT_TIMEOUT: String(pool.queryWaitTimeoutS),
  };
  const services = (command: string) => run('bash', [join(ROOT, 'scripts/services.sh'), command, 'pgbouncer'], { env });
  const bridges = bridgeProcesses(ROOT, env);
  await services('up');
  try {
    const bridge = await bridges.start('own-pooler-bridge', 'pg-ws-bridge.ts', 'PG_WS_BRIDGE_PORT');
    const url = new URL(testEnv.DATABASE_URL!);
    url.port = String(port);
    const wsProxy = `127.0.0.1:${bridge.port}`;
    return {
      url: url.toString(),
      wsProxy,
      async connect() {
        const client = new Client({ connectionString: url.toString() });
        Object.assign(client.neonConfig, {
          webSocketConstructor: ws,
          wsProxy: (host: string, hostPort: string) => `${wsProxy}/v1?address=${host}:${hostPort}`,
          useSecureWebSocket: false,
          pipelineTLS: false,
          pipelineConnect: false,
        });
        await client.connect();
        return client;
      },
      async stop() {
        await bridges.stopAll();
        await services('down');
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await bridges.stopAll();
    await services('down');
    throw error;
  }
}
