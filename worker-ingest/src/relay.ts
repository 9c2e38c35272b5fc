import { parseAuditMessage } from '../../shared/event.ts';
import { errorMessage, type Log } from '../../shared/log.ts';
import type { Metrics } from './metrics.ts';
import type { OutboxRow, Relayed } from './outbox.ts';

export interface RelayStream {
  /** Publishes one event with msgID = event id; the stream answers where it stored it (or the earlier copy, for a repeat within its window). */
  publish(subject: string, data: string, msgID: string): Promise<{ seq: number; duplicate: boolean }>;
  /** Whether the stream still holds, at `seq`, the message with this id: a copy not yet taken. */
  holds(seq: number, msgID: string): Promise<boolean>;
}

/**
 * Publishes outbox rows (events and parts) that have not reached goods_log, unless the stream
 * still holds an earlier copy: that one will be delivered, and another would only be a second
 * copy to skip. So an event has at most one copy waiting in the stream, however long an outage
 * lasts. A payload that is not a valid message is logged and stamped, so it is looked at again
 * only after the relay's interval.
 */
export function createRelayPublisher(subjectOf: (projectId: number) => string, stream: RelayStream, metrics: Metrics, log: Log) {
  return (rows: OutboxRow[]): Promise<Relayed[]> =>
    Promise.all(
      rows.map(async ({ event_id: id, payload, stream_seq }): Promise<Relayed> => {
        const parsed = parseAuditMessage(payload);
        if (!parsed.success) {
          log('relay_invalid_payload', { eventId: id, error: parsed.error.issues[0]?.message });
          return { id, seq: null };
        }
        try {
          const seen = stream_seq === null ? null : Number(stream_seq);
          if (seen !== null && (await stream.holds(seen, id))) return { id, seq: seen };
          const stored = await stream.publish(subjectOf(parsed.data.projectId), JSON.stringify(payload), id);
          metrics.relayPublished++;
          if (seen !== null && !stored.duplicate) metrics.relayCopies++;
          return { id, seq: stored.seq };
        } catch (error) {
          metrics.relayFailed++;
          log('relay_publish_failed', { eventId: id, error: errorMessage(error) });
          return { id, failed: true };
        }
      }),
    );
}
