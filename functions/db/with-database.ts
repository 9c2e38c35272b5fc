import type { Log } from '../../shared/log.ts';
import { sleep, withDeadline } from '../utils/time.ts';
import type { Queryable } from './queryable.ts';
import { isRefusedSession, refusedSessionDelayMs } from './refused-session.ts';
import { createWorkerClient } from './worker-client.ts';

/**
 * For connecting, the work and any further attempts together: a Postgres that has stopped
 * answering (frozen, or its listen queue not served) gives a prompt 500, not a request that waits.
 * Longer than the statement budget Postgres enforces (migration 0004), so that a statement that
 * is merely slow is cancelled and rolled back by Postgres before this gives up on it. Work with a
 * longer budget of its own passes a deadline to match.
 */
export const DEADLINE_MS = 5_000;

/**
 * How much sooner than the request's deadline a write must commit (goods_begin_write, migration
 * 0009). After Postgres checks the deadline, the commit still has to be flushed, its answer has
 * to travel back and the isolate has to run the continuation, all before the request's own
 * deadline fires; and Postgres checks against its clock, not the Worker's. A second covers a
 * commit flush, a round trip across a region, a busy isolate's event-loop delay and NTP-level
 * clock skew many times over, and still leaves most of the deadline to the work itself.
 */
export const COMMIT_MARGIN_MS = 1_000;

/** What a unit of work is given besides its connection: the instant by which it must commit. */
export type DatabaseWork<T> = (db: Queryable, commitBy: Date) => Promise<T>;

export interface DatabaseContext {
  env: Env;
  log: Log;
  /** Lets the connection close after the response (`waitUntil`). */
  defer: (work: Promise<unknown>) => void;
}

/**
 * Runs `work` on a Postgres connection opened for this request only: workerd cannot reuse a
 * socket across requests, so the client is closed after the response (`defer`).
 * A session Postgres refuses at startup (no free slot) is tried again, after a short wait.
 */
export async function withDatabase<T>(ctx: DatabaseContext, work: DatabaseWork<T>, deadlineMs = DEADLINE_MS): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  const commitBy = new Date(deadline - COMMIT_MARGIN_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await onNewConnection(ctx, (db) => work(db, commitBy), deadline - Date.now());
    } catch (error) {
      const delay = isRefusedSession(error) ? refusedSessionDelayMs(attempt) : undefined;
      if (delay === undefined || Date.now() + delay >= deadline) throw error;
      await sleep(delay);
    }
  }
}

async function onNewConnection<T>(ctx: DatabaseContext, work: (db: Queryable) => Promise<T>, timeoutMs: number): Promise<T> {
  const client = createWorkerClient(ctx.env, ctx.log);
  try {
    // A failed connect rejects with the socket's error event, not an Error: wrapNonErrors
    // (http/error-response.ts) turns it into one for the error response.
    const connectAndWork = client.connect().then(() => work(client));
    return await withDeadline(connectAndWork, timeoutMs, 'Postgres');
  } finally {
    // Also after a failed connect (then it resolves at once) and after the deadline (then it
    // drops the socket, and the pending connect or query rejects into the race above).
    ctx.defer(client.end().catch(() => undefined));
  }
}
