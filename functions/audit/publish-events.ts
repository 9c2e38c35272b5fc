import { headers, wsconnect } from '@nats-io/nats-core';
import type { AuditMessage } from '../../shared/event.ts';
import { DEFAULT_PARTITIONS, eventSubject, PARTITION_SLOTS, partitionCount } from '../../shared/partitions.ts';
import { fromBindings, requireBindings } from '../unset-bindings.ts';

export interface NatsTarget {
  /** One WebSocket URL, or the nodes of a cluster, comma-separated (NATS_WS_URL). */
  url: string;
  subject: string;
  /** INGEST_PARTITIONS: the subject's partition token depends on it (NaN when the binding is not a valid count). */
  partitions: number;
  /** The edge's own user, which may only publish to `<subject>.>`. */
  user: string;
  pass: string;
  /** Bindings it lacks: every connect fails naming them. */
  unset: string[];
}

type NatsBindings = Pick<Env, 'NATS_WS_URL' | 'NATS_SUBJECT' | 'INGEST_PARTITIONS' | 'NATS_USER' | 'NATS_PASSWORD'>;

/** Where, and as whom, the Worker's bindings say the audit events go. */
export function natsTarget(env: NatsBindings): NatsTarget {
  const target = fromBindings(env, { url: 'NATS_WS_URL', subject: 'NATS_SUBJECT', user: 'NATS_USER', pass: 'NATS_PASSWORD' });
  const partitions = partitionCount.safeParse(env.INGEST_PARTITIONS || DEFAULT_PARTITIONS);
  // A bad count refuses every publish, naming the binding and its rule, as a missing binding does.
  return partitions.success ? { ...target, partitions: partitions.data } : { ...target, partitions: Number.NaN };
}

const CONNECT_TIMEOUT_MS = 3_000;

/**
 * Publishes audit events into the JetStream stream with `Nats-Msg-Id` = event id, so a
 * re-publish (by the relay, or a retry) is dropped by the stream's duplicate window. They go as
 * plain publishes, flushed but not acknowledged one by one: the events already sit in the
 * Postgres outbox, and the ingest worker's relay publishes any that have not reached goods_log
 * within a few seconds, so a lost publish delays an event, it does not lose it. That saves a
 * request-reply per event on a connection that lives for this one request.
 */
export async function publishEvents(target: NatsTarget, messages: readonly AuditMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const nc = await connect(target);
  try {
    for (const message of messages) {
      const msgHeaders = headers();
      msgHeaders.set('Nats-Msg-Id', message.eventId);
      nc.publish(eventSubject(target.subject, message.projectId, target.partitions), JSON.stringify(message), { headers: msgHeaders });
    }
    await nc.flush();
  } finally {
    await nc.close();
  }
}

/** Rejects unless NATS takes a connection and answers a flush on it, as a publish needs. */
export async function pingNats(target: NatsTarget): Promise<void> {
  const nc = await connect(target);
  try {
    await nc.flush();
  } finally {
    await nc.close();
  }
}

/**
 * A connection to the first node that takes one, trying the nodes of NATS_WS_URL in turn from a
 * random one (requests spread over the cluster; a node that is down costs a refused connect).
 * Any node will do: the cluster routes a publish to the stream's leader.
 */
async function connect(target: NatsTarget) {
  requireBindings(target.unset);
  if (!Number.isInteger(target.partitions)) throw new Error(`INGEST_PARTITIONS must be a whole number from 1 to ${PARTITION_SLOTS}`);
  const servers = target.url.split(',');
  const first = Math.floor(Math.random() * servers.length);
  let lastError: unknown;
  for (let i = 0; i < servers.length; i++) {
    try {
      return await wsconnect({
        servers: servers[(first + i) % servers.length]!,
        user: target.user,
        pass: target.pass,
        timeout: CONNECT_TIMEOUT_MS,
        reconnect: false,
        // No stack captured for each flush: this connection lives for one request.
        noAsyncTraces: true,
      });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
