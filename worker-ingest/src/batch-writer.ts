import { retry } from './backoff.ts';
import type { GoodEvent } from '../../shared/event.ts';
import { slotOf } from '../../shared/partitions.ts';
import { toRow, type GoodsLogRow } from './event.ts';
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
  /** JetStream delivered this message before: its events may already be in goods_log. */
  redelivered?: boolean;
}

export interface BatchWriterDeps {
  /** `redelivered`: whether the batch holds a message delivered before (pipeline.ts reads replicas with care then). */
  findExisting: (rows: readonly GoodsLogRow[], batch: { redelivered: boolean; slots: readonly number[] }) => Promise<Set<string>>;
  insert: (rows: readonly GoodsLogRow[], slots: readonly number[]) => Promise<void>;
  /**
   * Runs the check and the INSERT of a batch while no other worker runs its own for any of the
   * batch's slots (write-lock.ts): the check then sees every row of those projects stored before
   * it, whichever worker stored it, and nothing of theirs can be stored between the check and
   * the INSERT.
   */
  exclusive: <T>(slots: readonly number[], work: (waitedMs: number) => Promise<T>) => Promise<T>;
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
  startedAt: number;
  /** The oldest event time of the batch (Unix ms). */
  oldestMs: number;
  /** Whether any of its messages is a redelivery. */
  redelivered: boolean;
  /** The lock slots of its projects, ascending. */
  slots: number[];
}

export interface BatchWriter {
  /** Drops repeats within the batch (may run while the previous batch is written). */
  prepare(items: Received[]): PreparedBatch;
  /** INSERTs what ClickHouse does not have yet, then acks every message. One call at a time. */
  write(items: Received[], prepared: PreparedBatch): Promise<void>;
}

/**
 * Writes batches exactly once, with any number of workers: drop repeats within the batch, then,
 * holding the pipeline's write lock, ask ClickHouse which event ids it already has and INSERT the
 * rest in one statement; ack only after ClickHouse confirmed. Every retry checks again, so a
 * write whose answer was lost (or a worker that died between INSERT and ack) leads to a skip on
 * redelivery, never to a second row; and two copies of one event held by two workers (a
 * re-publish past JetStream's duplicate window) are stored once, by whichever writes first.
 */
export function createBatchWriter(deps: BatchWriterDeps): BatchWriter {
  const { metrics, log, now = Date.now } = deps;

  return {
    prepare(items) {
      const rows = new Map<string, GoodsLogRow>();
      const slots = new Set<number>();
      let oldestMs = Infinity;
      for (const { events } of items) {
        for (const event of events) {
          if (rows.has(event.eventId)) continue;
          const row = toRow(event);
          rows.set(event.eventId, row);
          slots.add(slotOf(row.ProjectId));
          oldestMs = Math.min(oldestMs, row.EventTimeMs);
        }
      }
      return {
        rows: [...rows.values()],
        startedAt: now(),
        oldestMs,
        redelivered: items.some((i) => i.redelivered === true),
        slots: [...slots].sort((a, b) => a - b),
      };
    },

    async write(items, { rows, startedAt, oldestMs, redelivered, slots }) {
      const keepAlive = setInterval(deps.keepAlive, deps.keepAliveEveryMs);
      // Where the time went: queued behind the batch before, until the lock was held (failed
      // attempts included; of that, the database's wait for the lock itself), the check, the
      // INSERT, and the commit that lets go of the lock.
      const times = { writeAt: now(), lockWaitMs: 0, lockedAt: 0, checkedAt: 0, insertedAt: 0 };
      let fresh: GoodsLogRow[];
      try {
        fresh = await retry(
          () =>
            deps.exclusive(slots, async (waitedMs) => {
              times.lockedAt = now();
              times.lockWaitMs = waitedMs;
              const existing = await deps.findExisting(rows, { redelivered, slots });
              times.checkedAt = now();
              const toInsert = existing.size ? rows.filter((r) => !existing.has(r.EventId)) : rows;
              if (toInsert.length) {
                await deps.insert(toInsert, slots);
                metrics.inserts++;
              }
              times.insertedAt = now();
              return toInsert;
            }),
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

      // Not waited for: a lost ack only means a redelivery, which the existence check turns into a skip.
      for (const { msg } of items) msg.ack();
      deps.confirmed([...new Set(items.map((i) => i.id))]);

      const done = now();
      const inserted = fresh.length;
      const received = items.reduce((sum, i) => sum + i.events.length, 0);
      const lagMs = done - oldestMs;
      metrics.batches++;
      metrics.eventsInserted += inserted;
      metrics.duplicatesSkipped += received - inserted;
      metrics.lastLagMs = lagMs;
      log('batch', {
        size: received,
        inserted,
        duplicates: received - inserted,
        ms: done - startedAt,
        lagMs,
        queuedMs: times.writeAt - startedAt,
        lockMs: times.lockedAt - times.writeAt,
        lockWaitMs: Math.round(times.lockWaitMs * 10) / 10,
        checkMs: times.checkedAt - times.lockedAt,
        insertMs: times.insertedAt - times.checkedAt,
        commitMs: done - times.insertedAt,
      });
    },
  };
}
