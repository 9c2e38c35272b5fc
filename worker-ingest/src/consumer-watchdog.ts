import type { JetStreamManager } from '@nats-io/jetstream';
import type { Log } from '../../shared/log.ts';

export interface WatchdogSettings {
  stream: string;
  consumer: string;
  ackWaitMs: number;
}

/** How far past the ack floor the watchdog looks for a message still awaiting its ack. */
const SCAN = 1_000;

/**
 * Whether the consumer has stopped delivering work it has. NATS 2.9 can wedge a work-queue
 * consumer when messages it delivered leave the stream unacknowledged (its file store drops
 * messages past `max_bytes` even with `discard: new`, nats-server#4771): it waits to redeliver
 * messages that no longer exist, and delivers nothing else. So: nothing delivered for two ack
 * waits while this worker holds nothing (a worker that holds messages is writing them, or waiting
 * for ClickHouse), and either messages wait undelivered, or none of those awaiting an ack is
 * still in the stream.
 */
export async function consumerStalled(jsm: JetStreamManager, s: WatchdogSettings, heldByMe: number, now = Date.now()): Promise<boolean> {
  if (heldByMe > 0) return false;
  const info = await jsm.consumers.info(s.stream, s.consumer);
  if (info.num_pending === 0 && info.num_ack_pending === 0) return false;
  // The server sends an RFC 3339 time (the client's type says nanoseconds).
  const lastActive = Date.parse(String((info.delivered.last_active as unknown) ?? info.created));
  if (now - lastActive <= 2 * s.ackWaitMs) return false;
  if (info.num_ack_pending === 0) return true;
  const last = Math.min(info.delivered.stream_seq, info.ack_floor.stream_seq + SCAN);
  for (let seq = info.ack_floor.stream_seq + 1; seq <= last; seq++) {
    if (await jsm.streams.getMessage(s.stream, { seq })) return false;
  }
  return true;
}

/**
 * Replaces a stalled consumer: deleted, then created again by `recreate` (the worker's topology
 * set-up). Nothing is lost: a work queue keeps every unacknowledged message for the new consumer,
 * and an event whose message is gone is still in the Postgres outbox, which the relay publishes
 * again once the stream no longer holds it.
 */
export async function replaceStalledConsumer(jsm: JetStreamManager, s: WatchdogSettings, recreate: () => Promise<void>, log: Log) {
  const info = await jsm.consumers.info(s.stream, s.consumer);
  log('consumer_stalled', {
    consumer: s.consumer,
    pending: info.num_pending,
    ackPending: info.num_ack_pending,
    lastActive: info.delivered.last_active,
  });
  await jsm.consumers.delete(s.stream, s.consumer);
  await recreate();
}
