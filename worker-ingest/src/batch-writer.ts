import { retry } from './backoff.ts';
import type { GoodEvent } from '../../shared/event.ts';
import { eventTimeMs, toRow, type GoodsLogRow } from './event.ts';
import { errorMessage, type Log } from '../../shared/log.ts';
import type { Metrics } from './metrics.ts';

/** The part of a JetStream message the writer needs. */
export interface AckableMsg {
  ack(): void;
  working(): void;
}

/** One message: an event, or a part's events (acked together, after all of them are stored). */
export interface Received {
  msg: AckableMsg;
  /** The message's id: the outbox row to forget once its events are in goods_log. */
  id: string;
  events: GoodEvent[];
}

export interface BatchWriterDeps {
  findExisting: (rows: readonly GoodsLogRow[]) => Promise<Set<string>>;
  insert: (rows: readonly GoodsLogRow[]) => Promise<void>;
  /** Told the ids of the messages whose events are all in goods_log now (the outbox forgets them). */
  confirmed: (messageIds: string[]) => void;
  /** Tells JetStream that every held message is still being worked on (postpones redelivery). */
  keepAlive: () => void;
  keepAliveEveryMs: number;
  /** Aborted on shutdown: stop retrying, leave the batch unacked (JetStream redelivers it later). */
  signal: AbortSignal;
  metrics: Metrics;
  log: Log;
  now?: () => number;
}

export interface PreparedBatch {
  rows: GoodsLogRow[];
  /** The existence check, started when the batch closed. */
  existing: Promise<Set<string>>;
  startedAt: number;
}

export interface BatchWriter {
  /** Drops repeats within the batch and starts the existence check (may overlap the previous write). */
  prepare(items: Received[]): PreparedBatch;
  /** INSERTs what ClickHouse does not have yet, then acks every message. One call at a time. */
  write(items: Received[], prepared: PreparedBatch): Promise<void>;
}

/**
 * Writes batches exactly once: drop repeats within the batch, ask ClickHouse which event ids it
 * already has, INSERT the rest in one statement, and ack only after ClickHouse confirmed.
 *
 * The check of a batch runs while the batch before it is inserted, so it may miss that batch's
 * rows: those ids are excluded from memory, provided the previous write completed (then all of
 * its ids are in goods_log). Every retry
 * checks again, so a write whose answer was lost (or a worker that died between INSERT and ack)
 * leads to a skip, never to a second row.
 */
export function createBatchWriter(deps: BatchWriterDeps): BatchWriter {
  const { metrics, log, now = Date.now } = deps;
  let previous: { ok: boolean; stored: ReadonlySet<string> } = { ok: true, stored: new Set() };

  return {
    prepare(items) {
      const rows = new Map<string, GoodsLogRow>();
      for (const { events } of items) for (const event of events) if (!rows.has(event.eventId)) rows.set(event.eventId, toRow(event));
      const unique = [...rows.values()];
      const existing = deps.findExisting(unique);
      existing.catch(() => undefined); // a failed early check is redone in write()
      return { rows: unique, existing, startedAt: now() };
    },

    async write(items, { rows, existing: early, startedAt }) {
      const prior = previous;
      previous = { ok: false, stored: new Set() };
      let useEarly = prior.ok;
      const keepAlive = setInterval(deps.keepAlive, deps.keepAliveEveryMs);
      let fresh: GoodsLogRow[];
      try {
        fresh = await retry(
          async () => {
            let candidates = rows;
            let existing: Set<string>;
            if (useEarly) {
              useEarly = false;
              candidates = rows.filter((r) => !prior.stored.has(r.EventId));
              existing = await early;
            } else {
              existing = await deps.findExisting(rows);
            }
            const toInsert = existing.size ? candidates.filter((r) => !existing.has(r.EventId)) : candidates;
            if (toInsert.length) {
              await deps.insert(toInsert);
              metrics.inserts++;
            }
            return toInsert;
          },
          {
            signal: deps.signal,
            onRetry: (error, attempt, waitMs) => {
              metrics.retries++;
              log('clickhouse_retry', { attempt, waitMs, size: items.length, error: errorMessage(error) });
            },
          },
        );
      } finally {
        clearInterval(keepAlive);
      }
      // All of this batch is in goods_log now, whether inserted here, earlier, or by a lost attempt.
      previous = { ok: true, stored: new Set(rows.map((r) => r.EventId)) };

      // Not waited for: a lost ack only means a redelivery, which the existence check turns into a skip.
      for (const { msg } of items) msg.ack();
      deps.confirmed([...new Set(items.map((i) => i.id))]);

      const done = now();
      const inserted = fresh.length;
      const received = items.reduce((sum, i) => sum + i.events.length, 0);
      const lagMs = done - items.reduce((oldest, i) => Math.min(oldest, ...i.events.map(eventTimeMs)), Infinity);
      metrics.batches++;
      metrics.eventsInserted += inserted;
      metrics.duplicatesSkipped += received - inserted;
      metrics.lastLagMs = lagMs;
      log('batch', { size: received, inserted, duplicates: received - inserted, ms: done - startedAt, lagMs });
    },
  };
}
