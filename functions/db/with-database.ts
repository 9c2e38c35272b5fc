import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import type { Queryable } from './queryable.ts';
import { isRefusedSession, refusedSessionDelayMs } from './refused-session.ts';
import { createWorkerClient } from './worker-client.ts';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Runs `work` on a Postgres connection opened for this request only: workerd cannot reuse a
 * socket across requests, so the client is closed after the response via `waitUntil`.
 * A session Postgres refuses at startup (no free slot) is tried again, after a short wait.
 */
export async function withDatabase<T>(c: Context<AppEnv>, work: (db: Queryable) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await onNewConnection(c, work);
    } catch (error) {
      const delay = isRefusedSession(error) ? refusedSessionDelayMs(attempt) : undefined;
      if (delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function onNewConnection<T>(c: Context<AppEnv>, work: (db: Queryable) => Promise<T>): Promise<T> {
  const client = createWorkerClient(c.env, CONNECT_TIMEOUT_MS);
  // A failed connect rejects with the socket's error event, not an Error: wrapNonErrors
  // (http/error-response.ts) turns it into one for the error response.
  await client.connect();
  try {
    return await work(client);
  } finally {
    c.executionCtx.waitUntil(client.end().catch(() => undefined));
  }
}
