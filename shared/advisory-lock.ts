import type { Pool } from '@neondatabase/serverless';
import { inTransaction } from './transaction.ts';

/**
 * A 32-bit FNV-1a hash of `name`, as the signed integer a Postgres advisory lock takes. It must
 * not change from release to release: processes of two releases running side by side exclude
 * each other only while they compute the same key.
 */
export function advisoryLockKey(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash | 0;
}

/**
 * Runs `work` in a transaction that holds the advisory lock of `name`. The lock goes with the
 * transaction, so it works through a transaction pooler as well as directly, and a process that
 * dies (kill -9, lost connection) lets go of it at once. `waitUnbounded` lifts the database's
 * statement and idle budgets for this transaction, for a holder that may take long.
 */
export async function withAdvisoryLock<T>(pool: Pool, name: string, work: () => Promise<T>, { waitUnbounded = false } = {}): Promise<T> {
  const client = await pool.connect();
  try {
    const budgets = waitUnbounded ? 'SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0; ' : '';
    // BEGIN and the lock in one simple query (one round trip); a simple query takes no
    // parameters, so the key is an integer computed here.
    return await inTransaction(client, work, `BEGIN; ${budgets}SELECT pg_advisory_xact_lock(${advisoryLockKey(name)})`);
  } finally {
    client.release();
  }
}
