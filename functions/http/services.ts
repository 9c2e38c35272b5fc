import type { Context } from 'hono';
import { publishEvents } from '../audit/publish-events.ts';
import { invalidateListCache } from '../cache/invalidate.ts';
import { ListCache } from '../cache/list-cache.ts';
import { createRedis } from '../cache/redis-client.ts';
import type { AppEnv, Env } from '../env.ts';
import type { GoodEvent } from '../../shared/event.ts';

export function listCacheFor(env: Env): ListCache {
  return new ListCache(createRedis(env), env.CACHE_NAMESPACE);
}

/** Lets work finish after the response has been sent. */
export function deferFor(c: Context<AppEnv>): (work: Promise<unknown>) => void {
  return (work) => c.executionCtx.waitUntil(work);
}

/**
 * What every successful write does before answering: invalidate the cached list (so no later
 * list shows the older state), then publish its audit events off the response path.
 */
export async function finishWrite(c: Context<AppEnv>, events: GoodEvent[]): Promise<void> {
  const defer = deferFor(c);
  await invalidateListCache(listCacheFor(c.env), defer, c.var.log);
  const target = { url: c.env.NATS_WS_URL, subject: c.env.NATS_SUBJECT, user: c.env.NATS_USER, pass: c.env.NATS_PASSWORD };
  defer(
    publishEvents(target, events).catch((error: unknown) =>
      c.var.log('audit publish failed; the outbox relay will deliver', { error: String(error) }),
    ),
  );
}
