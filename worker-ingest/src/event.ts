import { createHash } from 'node:crypto';
import { eventsOf, type GoodEvent, parseAuditMessage } from '../../shared/event.ts';

/** A row of goods_log, as the worker sends it (clickhouse.ts, tabSeparated). */
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

/** A message's id (the outbox row's, and `Nats-Msg-Id`) and the events it stands for. */
export type ParseResult = { ok: true; id: string; events: GoodEvent[] } | { ok: false; error: string };

/**
 * The id of the `index`-th good's event in a part: a name-based (version 5 style) UUID of the
 * part's id and the index, so a part delivered or expanded again yields the same ids.
 */
export function partEventId(partId: string, index: number): string {
  const hash = createHash('sha1').update(`${partId}/${index}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const utf8 = new TextDecoder();

/** Parses one message: an event, or a part (shared/event.ts) expanded into its events. */
export function parseEvent(data: Uint8Array | string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : utf8.decode(data));
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  const parsed = parseAuditMessage(json);
  if (!parsed.success) {
    return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  }
  return { ok: true, id: parsed.data.eventId, events: eventsOf(parsed.data, partEventId) };
}

export function toRow(event: GoodEvent): GoodsLogRow {
  const timeMs = Date.parse(event.eventTime);
  return {
    Id: event.id,
    ProjectId: event.projectId,
    Name: event.name,
    Description: event.description,
    Priority: event.priority,
    Removed: event.removed ? 1 : 0,
    EventTime: Math.floor(timeMs / 1000),
    EventId: event.eventId,
    Kind: event.kind ?? '',
    EventTimeMs: timeMs,
  };
}
