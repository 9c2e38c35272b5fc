import { jetstream } from '@nats-io/jetstream';
import { wsconnect } from '@nats-io/nats-core';
import type { AuditEvent } from '../goods/types.ts';

export interface NatsTarget {
  url: string;
  subject: string;
  user?: string | undefined;
  pass?: string | undefined;
}

const CONNECT_TIMEOUT_MS = 3_000;

export function eventSubject(subject: string, event: AuditEvent): string {
  return `${subject}.${event.projectId}`;
}

/**
 * Publishes audit events to JetStream with `Nats-Msg-Id` = event id, so a re-publish (by the
 * relay, or a retry) is dropped by the stream's duplicate window. Events already sit in the
 * Postgres outbox: a failure here delays them, it does not lose them.
 */
export async function publishEvents(target: NatsTarget, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const nc = await wsconnect({
    servers: target.url,
    user: target.user,
    pass: target.pass,
    timeout: CONNECT_TIMEOUT_MS,
    reconnect: false,
  });
  try {
    const js = jetstream(nc);
    await Promise.all(
      events.map((event) => js.publish(eventSubject(target.subject, event), JSON.stringify(event), { msgID: event.eventId })),
    );
  } finally {
    await nc.close();
  }
}
