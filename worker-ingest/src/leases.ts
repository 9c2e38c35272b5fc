import type { Pool } from '@neondatabase/serverless';

// The partition leases in Postgres (migrations/postgres/0016). All times are the database's
// (now()), so the workers' clocks do not matter.

export interface LeaseScope {
  /** The workers sharing the partitions: `<stream>/<consumer>`. */
  group: string;
  worker: string;
  ttlMs: number;
}

/** A partition's lease as stored: `live` while it has not run out. */
export interface Lease {
  partition: number;
  holder: string;
  live: boolean;
}

export interface LeaseState {
  /** The workers that said they were alive within a lease's time, this one included, sorted. */
  workers: string[];
  leases: Lease[];
}

/** The lease time, from the query parameter `$n`. */
const ttl = (n: number) => `$${n}::int * interval '1 millisecond'`;

/** A worker not seen for this many lease times is forgotten (each start of a process is a new worker). */
const FORGET_AFTER_LEASES = 100;

/**
 * Says this worker is alive, renews its leases (except those it is handing off), and reads
 * every worker and lease of the group.
 */
export async function renewLeases(pool: Pool, scope: LeaseScope, handingOff: readonly number[]): Promise<LeaseState> {
  await pool.query(
    `INSERT INTO ingest_workers (consumer_group, worker, seen_at) VALUES ($1, $2, now())
     ON CONFLICT (consumer_group, worker) DO UPDATE SET seen_at = now()`,
    [scope.group, scope.worker],
  );
  await pool.query(
    `UPDATE ingest_leases SET expires_at = now() + ${ttl(3)}
     WHERE consumer_group = $1 AND holder = $2 AND NOT (partition = ANY($4::int[]))`,
    [scope.group, scope.worker, scope.ttlMs, [...handingOff]],
  );
  await pool.query(`DELETE FROM ingest_workers WHERE consumer_group = $1 AND seen_at < now() - ${FORGET_AFTER_LEASES} * ${ttl(2)}`, [
    scope.group,
    scope.ttlMs,
  ]);
  const workers = await pool.query<{ worker: string }>(
    `SELECT worker FROM ingest_workers WHERE consumer_group = $1 AND seen_at > now() - ${ttl(2)} ORDER BY worker`,
    [scope.group, scope.ttlMs],
  );
  const leases = await pool.query<{ partition: number; holder: string; live: boolean }>(
    'SELECT partition, holder, expires_at > now() AS live FROM ingest_leases WHERE consumer_group = $1 ORDER BY partition',
    [scope.group],
  );
  return { workers: workers.rows.map((r) => r.worker), leases: leases.rows };
}

/** Takes those of `partitions` whose lease is missing or has run out; returns the ones it got. */
export async function claimLeases(pool: Pool, scope: LeaseScope, partitions: readonly number[]): Promise<number[]> {
  if (partitions.length === 0) return [];
  const result = await pool.query<{ partition: number }>(
    `INSERT INTO ingest_leases (consumer_group, partition, holder, expires_at)
     SELECT $1, p, $2, now() + ${ttl(3)} FROM unnest($4::int[]) AS p
     ON CONFLICT (consumer_group, partition) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE ingest_leases.expires_at <= now()
     RETURNING partition`,
    [scope.group, scope.worker, scope.ttlMs, [...partitions]],
  );
  return result.rows.map((r) => r.partition);
}

/** Lets a lease run out now, so that a worker with fewer partitions takes it; this one keeps consuming until then. */
export async function offerLease(pool: Pool, scope: LeaseScope, partition: number): Promise<void> {
  await pool.query('UPDATE ingest_leases SET expires_at = now() WHERE consumer_group = $1 AND partition = $2 AND holder = $3', [
    scope.group,
    partition,
    scope.worker,
  ]);
}

/** A stopping worker gives back its leases and its place at once, instead of letting them run out. */
export async function leaveLeases(pool: Pool, scope: Pick<LeaseScope, 'group' | 'worker'>): Promise<void> {
  await pool.query('DELETE FROM ingest_leases WHERE consumer_group = $1 AND holder = $2', [scope.group, scope.worker]);
  await pool.query('DELETE FROM ingest_workers WHERE consumer_group = $1 AND worker = $2', [scope.group, scope.worker]);
}
