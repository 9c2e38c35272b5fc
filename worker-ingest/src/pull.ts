import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { sleep } from './backoff.ts';
import type { Received } from './batch-writer.ts';
import { parseEvent } from './event.ts';
import { errorMessage, type Log } from '../../shared/log.ts';
import type { Metrics } from './metrics.ts';

/**
 * Moves messages from JetStream into the batcher. A message that is not a valid event is logged
 * and terminated (JetStream never redelivers it), so it cannot block the stream. Ends when
 * `messages` is closed, after everything already delivered has been handed to the batcher.
 */
export async function pullInto(
  messages: AsyncIterable<JsMsg>,
  batcher: { add(item: Received): Promise<void> },
  metrics: Metrics,
  log: Log,
): Promise<void> {
  for await (const msg of messages) {
    const parsed = parseEvent(msg.data);
    if (!parsed.ok) {
      metrics.malformed++;
      log('malformed_event', { subject: msg.subject, seq: msg.seq, error: parsed.error, data: msg.string().slice(0, 200) });
      // No reason argument: NATS 2.9 does not understand `+TERM <reason>` and would redeliver forever.
      msg.term();
      continue;
    }
    metrics.received += parsed.events.length;
    if (msg.info.redelivered) metrics.redelivered++;
    await batcher.add({ msg, id: parsed.id, events: parsed.events, redelivered: msg.info.redelivered });
  }
}

const QUIET = new Set(['heartbeat', 'next', 'debug', 'discard', 'flow_control']);
const MISSING = new Set(['consumer_not_found', 'consumer_deleted', 'stream_not_found']);

/** Logs the consumer's notable notifications and calls `onMissing` when the consumer or stream is gone. */
export async function watchConsumer(messages: ConsumerMessages, log: Log, onMissing: () => void): Promise<void> {
  for await (const s of messages.status()) {
    if (QUIET.has(s.type)) continue;
    log('consumer_status', { status: s.type });
    if (MISSING.has(s.type)) onMissing();
  }
}

export interface PullingOptions {
  /** Starts consuming (consumer.consume()). */
  open: () => Promise<ConsumerMessages>;
  /** Creates the stream and consumer again if they are gone. */
  repair: () => Promise<void>;
  batcher: { add(item: Received): Promise<void> };
  metrics: Metrics;
  log: Log;
}

/**
 * Keeps a consume() running into the batcher. If the consumer or stream disappears it recreates
 * them and starts a new consume() at once, instead of waiting for the client's heartbeat timeout.
 */
export function startPulling(o: PullingOptions): { stop(): Promise<void> } {
  let stopping = false;
  let current: ConsumerMessages | undefined;
  const done = (async () => {
    while (!stopping) {
      try {
        const messages = await o.open();
        current = messages;
        if (stopping) {
          void messages.close();
          break;
        }
        void watchConsumer(messages, o.log, () => {
          o.repair().then(
            () => messages.close(),
            (error) => o.log('nats_setup_failed', { error: errorMessage(error) }),
          );
        });
        await pullInto(messages, o.batcher, o.metrics, o.log);
      } catch (error) {
        o.log('pull_failed', { error: errorMessage(error) });
        await sleep(1000);
        await o.repair().catch(() => undefined);
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      void current?.close(); // the loop still receives what was delivered before, then ends
      await done;
    },
  };
}
