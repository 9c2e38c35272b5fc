import type { Pool } from '@neondatabase/serverless';

/** Rows of goods_outbox (written by the edge in the same statement as the change). */
export interface OutboxRow {
  event_id: string;
  payload: unknown;
}

/** A relayed row is offered again after this long if it still has not reached goods_log. */
export const RELAY_AGAIN_AFTER = '30 seconds';
export const RELAY_LIMIT = 1000;

/** Rows in the outbox; NaN when Postgres does not answer within a second (a scrape must not hang). */
export async function countOutbox(pool: Pool): Promise<number> {
  const counted = pool.query<{ n: string }>('SELECT count(*) AS n FROM goods_outbox').then((r) => Number(r.rows[0]?.n));
  const late = new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), 1_000).unref());
  return Promise.race([counted.catch(() => Number.NaN), late]);
}

/** Forgets events that are confirmed in goods_log. */
export async function deleteOutboxEvents(pool: Pool, eventIds: readonly string[]): Promise<number> {
  const result = await pool.query('DELETE FROM goods_outbox WHERE event_id = ANY($1::uuid[])', [eventIds]);
  return result.rowCount ?? 0;
}

/**
 * In one transaction: locks up to RELAY_LIMIT rows older than `olderThanMs` that were never
 * relayed or not within RELAY_AGAIN_AFTER (skipping rows another relay holds), hands them to
 * `relay`, and stamps relayed_at on the ids it returns. Returns how many rows were offered.
 */
export async function relayOutbox(pool: Pool, olderThanMs: number, relay: (rows: OutboxRow[]) => Promise<string[]>): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<OutboxRow>(
      `SELECT event_id, payload FROM goods_outbox
        WHERE created_at < now() - $1 * interval '1 millisecond'
          AND (relayed_at IS NULL OR relayed_at < now() - interval '${RELAY_AGAIN_AFTER}')
        ORDER BY created_at
        LIMIT ${RELAY_LIMIT}
        FOR UPDATE SKIP LOCKED`,
      [olderThanMs],
    );
    const relayed = rows.length ? await relay(rows) : [];
    if (relayed.length) {
      await client.query('UPDATE goods_outbox SET relayed_at = now() WHERE event_id = ANY($1::uuid[])', [relayed]);
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Relays the whole backlog, not one batch per tick: `relayOnce` again for as long as it offers a
 * full batch (RELAY_LIMIT rows) and `keepGoing()` holds. Returns how many rows were offered.
 */
export async function drainOutbox(relayOnce: () => Promise<number>, keepGoing: () => boolean = () => true): Promise<number> {
  let offered = 0;
  for (;;) {
    const batch = await relayOnce();
    offered += batch;
    if (batch < RELAY_LIMIT || !keepGoing()) return offered;
  }
}
