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

/** Empties goods, the outbox and the idempotency keys and restarts ids, leaving the default project. */
export async function resetGoods(): Promise<void> {
  await testDb().query('TRUNCATE goods, goods_outbox, goods_idempotency_keys, goods_kept_answer_chunks RESTART IDENTITY');
}

export async function goodsSnapshot(): Promise<unknown[]> {
  const { rows } = await testDb().query('SELECT * FROM goods ORDER BY id, project_id');
  return rows;
}

export async function createProject(name: string): Promise<number> {
  const { rows } = await testDb().query<{ id: number }>('INSERT INTO projects (name) VALUES ($1) RETURNING id', [name]);
  return rows[0]!.id;
}

/**
 * What is wrong with the list's order (migration 0008): goods whose place by sort_key is not
 * their rank in (priority, id) order, and key blocks whose count is not the goods in them.
 * [] when exact.
 */
export async function misplacedGoods(): Promise<string[]> {
  const { rows } = await testDb().query<{ defect: string }>(
    `SELECT format('good %s at %s by key, %s by priority', id, by_key, by_priority) AS defect FROM (
       SELECT id, row_number() OVER (ORDER BY sort_key) AS by_key, row_number() OVER (ORDER BY priority, id) AS by_priority FROM goods
     ) g WHERE by_key <> by_priority
     UNION ALL
     SELECT format('block %s counts %s, holds %s', coalesce(b.block, g.block), coalesce(b.goods, 0), coalesce(g.goods, 0))
     FROM goods_key_blocks b
     FULL JOIN (SELECT goods_key_block(sort_key) AS block, count(*)::int AS goods FROM goods GROUP BY 1) g ON g.block = b.block
     WHERE coalesce(b.goods, 0) <> coalesce(g.goods, 0)`,
  );
  return rows.map((r) => r.defect);
}
