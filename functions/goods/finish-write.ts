import type { AuditMessage } from '../../shared/event.ts';
import type { Log } from '../../shared/log.ts';
import { invalidateListCache } from '../cache/invalidate.ts';
import type { ListChange } from '../cache/list-change.ts';
import { sleep } from '../utils/time.ts';
import type { Adapters } from '../env.ts';

/**
 * What every successful write does before it answers: invalidate what it changed in the cached
 * list (so no later list shows the older state), then publish its audit events off the response path. A lost
 * publish delays an event, it does not lose it: the outbox relay delivers it.
 */
export async function finishWrite(
  deps: Pick<Adapters, 'listCache' | 'publish' | 'defer'> & { log: Log },
  written: { events: readonly AuditMessage[]; list: ListChange },
): Promise<void> {
  const { events } = written;
  await invalidateListCache(
    deps.listCache,
    written.list,
    events.map((e) => e.eventId),
    deps.defer,
    deps.log,
  );
  // Started on the next turn: opening the NATS connection does much of its work before its
  // first await, and the response should not wait for that.
  deps.defer(
    sleep(0)
      .then(() => deps.publish(events))
      .catch((error: unknown) => deps.log('audit publish failed; the outbox relay will deliver', { error: String(error) })),
  );
}
