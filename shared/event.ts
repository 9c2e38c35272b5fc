import { z } from 'zod';

const int32 = z.number().int().min(-2147483648).max(2147483647);

/** What changed the good: a reprioritize logs one `reprioritize` event for each good it moved. */
export const CHANGE_KINDS = ['create', 'update', 'remove', 'reprioritize'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/**
 * The audit event: a good's state after one change. Postgres builds it (goods_record_event,
 * migrations/postgres) into goods_outbox.payload and the write's answer; the edge and the relay
 * publish it; the ingest worker validates it with this schema before it stores it.
 */
export const GoodEventSchema = z.object({
  eventId: z.guid().transform((id) => id.toLowerCase()),
  id: int32,
  projectId: int32,
  name: z.string(),
  description: z.string(),
  priority: int32,
  removed: z.boolean(),
  eventTime: z.iso.datetime({ offset: true }),
  /** Absent in events recorded before the kind was (migration 0007): they are logged with ''. */
  kind: z.enum(CHANGE_KINDS).optional(),
});

export type GoodEvent = z.output<typeof GoodEventSchema>;

/**
 * The events of many goods changed by one statement (a reprioritize), as one message: the
 * state of each good as [id, name, description, priority, removed]. Postgres writes one part per
 * 100 goods of a project (goods_reprioritize, migrations/postgres/0008); the ingest worker logs
 * each good as its own event, with an id derived from the part's `eventId` and the good's place.
 */
export const GoodEventPartSchema = z.object({
  eventId: z.guid().transform((id) => id.toLowerCase()),
  projectId: int32,
  eventTime: z.iso.datetime({ offset: true }),
  kind: z.enum(CHANGE_KINDS),
  goods: z.array(z.tuple([int32, z.string(), z.string(), int32, z.boolean()])).min(1),
});

export type GoodEventPart = z.output<typeof GoodEventPartSchema>;

/** What travels through the outbox and NATS: one event, or a part. */
export type AuditMessage = GoodEvent | GoodEventPart;

/** Validates a message with the schema its shape calls for, so that an error names the field. */
export function parseAuditMessage(json: unknown) {
  const partShaped = typeof json === 'object' && json !== null && 'goods' in json;
  return partShaped ? GoodEventPartSchema.safeParse(json) : GoodEventSchema.safeParse(json);
}

export function isPart(message: AuditMessage): message is GoodEventPart {
  return 'goods' in message;
}

/** The events a message stands for; `eventIdOf(i)` names the i-th good's event of a part. */
export function eventsOf(message: AuditMessage, eventIdOf: (partId: string, index: number) => string): GoodEvent[] {
  if (!isPart(message)) return [message];
  const { eventId, projectId, eventTime, kind } = message;
  return message.goods.map(([id, name, description, priority, removed], i) => ({
    eventId: eventIdOf(eventId, i),
    id,
    projectId,
    name,
    description,
    priority,
    removed,
    eventTime,
    kind,
  }));
}
