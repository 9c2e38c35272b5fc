import { createNodePool } from '../../shared/node-postgres.ts';
import { databaseUrl, testEnv } from './env.ts';

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
