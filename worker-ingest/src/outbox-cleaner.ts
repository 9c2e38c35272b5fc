import { errorMessage, type Log } from '../../shared/log.ts';

export interface OutboxCleaner {
  /** Queues confirmed event ids for deletion from goods_outbox; never blocks the caller. */
  add(eventIds: readonly string[]): void;
  /** Resolves when everything queued so far has been tried. */
  drain(): Promise<void>;
}

const CHUNK = 5000;

/**
 * Deletes confirmed events from the outbox in the background, one DELETE at a time, coalescing
 * whatever arrives meanwhile. If Postgres fails the queued ids are dropped: those rows stay in the
 * outbox, the relay offers them again, goods_log already has them, so the worker skips them and
 * deletes them on that pass. Nothing waits on Postgres, and the queue cannot grow while it is down.
 */
export function createOutboxCleaner(
  remove: (eventIds: string[]) => Promise<number>,
  onDeleted: (count: number) => void,
  log: Log,
): OutboxCleaner {
  let pending: string[] = [];
  let active = false;
  let done = Promise.resolve();

  async function run(): Promise<void> {
    try {
      while (pending.length) {
        const ids = pending.splice(0, CHUNK);
        try {
          onDeleted(await remove(ids));
        } catch (error) {
          log('outbox_cleanup_failed', { dropped: ids.length + pending.length, error: errorMessage(error) });
          pending = [];
        }
      }
    } finally {
      active = false; // in the same tick as the empty-queue check: an add() after it starts a new run
    }
  }

  return {
    add(eventIds) {
      if (eventIds.length === 0) return;
      pending = pending.concat(eventIds);
      if (!active) {
        active = true;
        done = run();
      }
    },
    drain: async () => {
      while (active) await done;
    },
  };
}
