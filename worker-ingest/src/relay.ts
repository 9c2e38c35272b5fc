import { eventSubject, parseAuditMessage } from '../../shared/event.ts';
import { errorMessage, type Log } from '../../shared/log.ts';
import type { Metrics } from './metrics.ts';
import type { OutboxRow } from './outbox.ts';

/** Publishes one event to JetStream with msgID = event id (the stream drops repeats within its window). */
export type Publish = (subject: string, data: string, msgID: string) => Promise<unknown>;

/**
 * Publishes outbox rows (events and parts) and returns their ids to stamp as relayed. A payload
 * that is not a valid message is logged and stamped too, so it is looked at again only every 30 s.
 */
export function createRelayPublisher(subject: string, publish: Publish, metrics: Metrics, log: Log) {
  return async (rows: OutboxRow[]): Promise<string[]> => {
    const results = await Promise.all(
      rows.map(async ({ event_id, payload }) => {
        const parsed = parseAuditMessage(payload);
        if (!parsed.success) {
          log('relay_invalid_payload', { eventId: event_id, error: parsed.error.issues[0]?.message });
          return true;
        }
        try {
          await publish(eventSubject(subject, parsed.data.projectId), JSON.stringify(payload), event_id);
          metrics.relayPublished++;
          return true;
        } catch (error) {
          metrics.relayFailed++;
          log('relay_publish_failed', { eventId: event_id, error: errorMessage(error) });
          return false;
        }
      }),
    );
    return rows.filter((_, i) => results[i]).map((r) => r.event_id);
  };
}
