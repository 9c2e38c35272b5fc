import type { Pool } from '@neondatabase/serverless';
import { within } from './within.ts';
import { inTransaction } from '../../shared/transaction.ts';

/** Rows of goods_outbox (written by the edge in the same statement as the change). */
export interface OutboxRow {
  event_id: string;
  payload: unknown;
  /** The stream sequence of its copy as last seen (bigint, as text); null before the relay saw one. */
  stream_seq: string | null;
}

/** What the relay did with a row: it is in the stream at `seq` now, or it failed (left for later). */
export type Relayed = { id: string; seq: number | null } | { id: string; failed: true };

export const RELAY_LIMIT = 1000;

export interface OutboxBacklog {
  rows: number;
  /** Seconds since the oldest row was written; 0 when there is none. */
  oldestSeconds: number;
}

/** Rows in the outbox and the oldest one's age; NaN when Postgres does not answer within a second. */
export function outboxBacklog(pool: Pool): Promise<OutboxBacklog> {
  const counted = pool
    .query<{ n: string; age: string | null }>('SELECT count(*) AS n, extract(epoch FROM now() - min(created_at)) AS age FROM goods_outbox')
    .then(({ rows: [row] }) => ({ rows: Number(row?.n), oldestSeconds: Number(row?.age ?? 0) }));
  return within(counted, 1_000, { rows: Number.NaN, oldestSeconds: Number.NaN });
}

/** Forgets events that are confirmed in goods_log. */
export async function deleteOutboxEvents(pool: Pool, eventIds: readonly string[]): Promise<number> {
  const result = await pool.query('DELETE FROM goods_outbox WHERE event_id = ANY($1::uuid[])', [eventIds]);
  return result.rowCount ?? 0;
}

/**
 * In one transaction: locks up to RELAY_LIMIT rows older than `olderThanMs` that were never
 * relayed or not within `againAfterMs` (skipping rows another relay holds), hands them to
 * `relay`, and stamps relayed_at and the stream sequence of the rows it handled. Returns how many
 * rows were offered and how many the relay failed on.
 */
export async function relayOutbox(
  pool: Pool,
  { olderThanMs, againAfterMs }: { olderThanMs: number; againAfterMs: number },
  relay: (rows: OutboxRow[]) => Promise<Relayed[]>,
): Promise<{ offered: number; failed: number }> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, async () => {
      const { rows } = await client.query<OutboxRow>(
        `SELECT event_id, payload, stream_seq FROM goods_outbox
          WHERE created_at < now() - $1 * interval '1 millisecond'
            AND (relayed_at IS NULL OR relayed_at < now() - $2 * interval '1 millisecond')
          ORDER BY created_at
          LIMIT ${RELAY_LIMIT}
          FOR UPDATE SKIP LOCKED`,
        [olderThanMs, againAfterMs],
      );
      const results = rows.length ? await relay(rows) : [];
      const handled = results.filter((r): r is { id: string; seq: number | null } => !('failed' in r));
      if (handled.length) {
        await client.query(
          `UPDATE goods_outbox o SET relayed_at = now(), stream_seq = COALESCE(h.seq, o.stream_seq)
             FROM unnest($1::uuid[], $2::bigint[]) AS h(id, seq) WHERE o.event_id = h.id`,
          [handled.map((h) => h.id), handled.map((h) => h.seq)],
        );
      }
      return { offered: rows.length, failed: results.length - handled.length };
    });
  } finally {
    client.release();
  }
}

/**
 * Relays the whole backlog, not one batch per tick: `relayOnce` again for as long as it offers a
 * full batch (RELAY_LIMIT rows) without failures and `keepGoing()` holds. A failure ends the pass:
 * NATS is away or the stream is full, and the failed rows would only be offered again at once.
 */
export async function drainOutbox(
  relayOnce: () => Promise<{ offered: number; failed: number }>,
  keepGoing: () => boolean = () => true,
): Promise<{ offered: number; failed: number }> {
  const total = { offered: 0, failed: 0 };
  for (;;) {
    const { offered, failed } = await relayOnce();
    total.offered += offered;
    total.failed += failed;
    if (offered < RELAY_LIMIT || failed > 0 || !keepGoing()) return total;
  }
}
