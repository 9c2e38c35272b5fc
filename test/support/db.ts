import type { Pool, PoolClient } from '@neondatabase/serverless';
import { createNodePool } from '../../shared/node-postgres.ts';
import { testEnv } from './env.ts';

let pool: Pool | undefined;

/** The tests' own Postgres pool: direct, through a bridge the API does not use (so its counters, and the pooler's, stay clean). */
export function testDb(): Pool {
  if (!pool) {
    pool = createNodePool(testEnv.DIRECT_URL!, `127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}`, 8);
    // The statement budget is the app's (migration 0004); the tests' own set-up and clean-up
    // (dropping a scratch database on a busy machine, say) may take longer.
    pool.on('connect', (client: PoolClient) => void client.query('SET statement_timeout = 0'));
  }
  return pool;
}

export async function closeTestDb(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

/** Empties goods and the outbox and restarts ids, leaving the default project. */
export async function resetGoods(): Promise<void> {
  await testDb().query('TRUNCATE goods, goods_outbox RESTART IDENTITY');
}

export async function goodsSnapshot(): Promise<unknown[]> {
  const { rows } = await testDb().query('SELECT * FROM goods ORDER BY id, project_id');
  return rows;
}

export async function createProject(name: string): Promise<number> {
  const { rows } = await testDb().query<{ id: number }>('INSERT INTO projects (name) VALUES ($1) RETURNING id', [name]);
  return rows[0]!.id;
}

/** Goods whose stored list position is not their rank in (priority, id) order: [] when exact. */
export async function misplacedGoods(): Promise<{ id: number; position: number; rank: number }[]> {
  const { rows } = await testDb().query<{ id: number; position: number; rank: number }>(
    `SELECT id, position, rank::int FROM (SELECT id, position, row_number() OVER (ORDER BY priority, id) AS rank FROM goods) g
     WHERE position <> rank ORDER BY rank`,
  );
  return rows;
}
