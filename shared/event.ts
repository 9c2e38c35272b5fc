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

/** The JetStream subject of an event: the stream's subject prefix, then the project. */
export function eventSubject(prefix: string, projectId: number): string {
  return `${prefix}.${projectId}`;
}
