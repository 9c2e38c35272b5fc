import { nanos, type NatsConnection } from '@nats-io/nats-core';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  type StreamConfig,
  StorageType,
} from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Log } from '../../shared/log.ts';
import type { IngestConfig } from './config.ts';
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

function isNotFound(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound)
  );
}

export interface StreamSettings {
  name: string;
  /** Events go to `${subject}.<partition>.<projectId>` (shared/partitions.ts). */
  subject: string;
  /** Bytes the stream may hold; past them a publish is refused and the outbox keeps the event. */
  maxBytes: number;
  /** Within it a repeated `Nats-Msg-Id` is dropped by the stream. */
  duplicateWindowMs: number;
  /** Copies the cluster keeps (default 1); the stream survives the loss of a minority of them. */
  replicas?: number | undefined;
}

/** The stream an ingest configuration names. */
export function streamSettingsOf(
  c: Pick<IngestConfig, 'stream' | 'subject' | 'streamMaxBytes' | 'duplicateWindowMs' | 'streamReplicas'>,
): StreamSettings {
  return {
    name: c.stream,
    subject: c.subject,
    maxBytes: c.streamMaxBytes,
    duplicateWindowMs: c.duplicateWindowMs,
    replicas: c.streamReplicas,
  };
}

/**
 * The stream as a bounded transport, not an archive. The Postgres outbox holds every event until
 * it is confirmed in goods_log, so the stream only has to carry it once: an acknowledged message
 * leaves at once (workqueue), a full stream refuses new publishes instead of dropping stored ones
 * (discard new), and nothing expires unconsumed (no max_age).
 */
function wantedStream(s: StreamSettings) {
  return {
    retention: RetentionPolicy.Workqueue,
    discard: DiscardPolicy.New,
    max_bytes: s.maxBytes,
    max_age: 0,
    duplicate_window: nanos(s.duplicateWindowMs),
    num_replicas: s.replicas ?? 1,
  };
}

/**
 * Creates the stream, or brings an existing one up to date and logs what changed. NATS cannot
 * change a stream's retention in place: a stream of an older release (limits retention) is
 * deleted and created again. That loses nothing: every event not yet in goods_log is still in
 * the outbox, and the relay publishes again any whose stored copy is gone.
 */
export async function ensureStream(jsm: JetStreamManager, s: StreamSettings, log: Log): Promise<void> {
  const wanted = wantedStream(s);
  let current: StreamConfig;
  try {
    current = (await jsm.streams.info(s.name)).config;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add({ name: s.name, subjects: [`${s.subject}.>`], storage: StorageType.File, ...wanted });
    return;
  }
  if (current.retention !== wanted.retention) {
    await jsm.streams.delete(s.name);
    await jsm.streams.add({ ...current, ...wanted });
    log('stream_recreated', { stream: s.name, retention: [current.retention, wanted.retention] });
    return;
  }
  const changed = Object.fromEntries(
    Object.entries(wanted)
      .filter(([key, value]) => current[key as keyof typeof wanted] !== value)
      .map(([key, value]) => [key, [current[key as keyof typeof wanted], value]]),
  );
  if (Object.keys(changed).length === 0) return;
  await jsm.streams.update(s.name, wanted);
  log('stream_updated', { stream: s.name, changed });
}

/** Messages and bytes the stream holds now: events published and not yet acknowledged. */
export async function streamState(jsm: JetStreamManager, stream: string): Promise<{ messages: number; bytes: number }> {
  const { state } = await jsm.streams.info(stream);
  return { messages: state.messages, bytes: state.bytes };
}

export interface ConsumerSettings {
  durable: string;
  /** The subjects it takes: one partition's. */
  filter: string;
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
      filter_subject: s.filter,
      max_deliver: -1,
      ...wanted,
    });
  }
}

/**
 * Retires what a release before partitions left in the stream: its one consumer of every
 * subject (a work queue refuses the partitions' consumers beside it), and its messages, whose
 * subjects carry no partition, so no partition's consumer takes them (also when that consumer is
 * gone already). Deleting them loses nothing: every event not yet in goods_log is still in the
 * outbox, and the relay publishes it again, to its partition. (Upgrading across this release
 * still means draining the old workers first: worker-ingest/README.md, "Upgrading".)
 */
export async function retireUnpartitioned(jsm: JetStreamManager, s: StreamSettings, consumer: string, log: Log): Promise<void> {
  try {
    const info = await jsm.consumers.info(s.name, consumer);
    if (info.config.filter_subject === `${s.subject}.>`) {
      await jsm.consumers.delete(s.name, consumer);
      log('unpartitioned_consumer_retired', { stream: s.name, consumer });
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const { purged } = await jsm.streams.purge(s.name, { filter: `${s.subject}.*` });
  if (purged > 0) log('unpartitioned_messages_retired', { stream: s.name, purged });
}
