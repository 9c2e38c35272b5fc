import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Log } from '../../shared/log.ts';
import { identityOptions, type NatsServer } from './nats-identity.ts';

/** Connects once the server is reachable and keeps reconnecting forever after a restart. */
export function connectNats(server: NatsServer, name = 'goods-ingest'): Promise<NatsConnection> {
  return connect({
    servers: server.servers,
    ...identityOptions(server),
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    pingInterval: 10_000,
    // No stack captured for every request (each JetStream publish is one): at thousands a second
    // that is CPU the pipeline needs, and the errors are logged with their context anyway.
    noAsyncTraces: true,
  });
}

/** Logs connection state changes (disconnect, reconnect, errors) and tells whether the connection is up. */
export function watchNats(nc: NatsConnection, log: Log): { connected(): boolean } {
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'ping' || s.type === 'update' || s.type === 'reconnecting') continue;
      if (s.type === 'disconnect') connected = false;
      if (s.type === 'reconnect') connected = true;
      log(`nats_${s.type}`, 'server' in s ? { server: s.server } : {});
    }
  })();
  return { connected: () => connected && !nc.isClosed() };
}

const DUPLICATE_WINDOW_MS = 2 * 60_000;
/** The stream is a transport, not the archive: the outbox re-publishes anything older that never reached goods_log. */
const STREAM_MAX_AGE_MS = 7 * 24 * 3600_000;

function isNotFound(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound)
  );
}

/** Creates the stream on `${subject}.>` if it is absent; an existing stream is left as it is. */
export async function ensureStream(jsm: JetStreamManager, stream: string, subject: string): Promise<void> {
  try {
    await jsm.streams.info(stream);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add({
      name: stream,
      subjects: [`${subject}.>`],
      storage: StorageType.File,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      max_age: nanos(STREAM_MAX_AGE_MS),
    });
  }
}

export interface ConsumerSettings {
  durable: string;
  subject: string;
  ackWaitMs: number;
  /** Messages delivered and not yet acked; the worker holds at most two batches. */
  maxAckPending: number;
}

/** Creates the durable pull consumer if absent, or brings ack_wait / max_ack_pending up to date. */
export async function ensureConsumer(jsm: JetStreamManager, stream: string, s: ConsumerSettings): Promise<void> {
  const wanted = { ack_wait: nanos(s.ackWaitMs), max_ack_pending: s.maxAckPending };
  try {
    const info = await jsm.consumers.info(stream, s.durable);
    if (info.config.ack_wait !== wanted.ack_wait || info.config.max_ack_pending !== wanted.max_ack_pending) {
      await jsm.consumers.update(stream, s.durable, wanted);
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(stream, {
      durable_name: s.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${s.subject}.>`,
      max_deliver: -1,
      ...wanted,
    });
  }
}
