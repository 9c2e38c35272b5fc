import { type GoodEvent, GoodEventSchema } from '../../shared/event.ts';

/** A row of goods_log as sent with JSONEachRow. */
export interface GoodsLogRow {
  Id: number;
  ProjectId: number;
  Name: string;
  Description: string;
  Priority: number;
  Removed: 0 | 1;
  /** Unix seconds: independent of the server's time zone and of 18.16's date_time_input_format. */
  EventTime: number;
  EventId: string;
  /** The event's kind; '' for events recorded before kinds were. */
  Kind: string;
  /** Unix milliseconds. */
  EventTimeMs: number;
}

export type ParseResult = { ok: true; event: GoodEvent } | { ok: false; error: string };

export function parseEvent(data: Uint8Array | string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  const parsed = GoodEventSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  }
  return { ok: true, event: parsed.data };
}

export function eventTimeMs(event: GoodEvent): number {
  return Date.parse(event.eventTime);
}

export function toRow(event: GoodEvent): GoodsLogRow {
  return {
    Id: event.id,
    ProjectId: event.projectId,
    Name: event.name,
    Description: event.description,
    Priority: event.priority,
    Removed: event.removed ? 1 : 0,
    EventTime: Math.floor(eventTimeMs(event) / 1000),
    EventId: event.eventId,
    Kind: event.kind ?? '',
    EventTimeMs: eventTimeMs(event),
  };
}
