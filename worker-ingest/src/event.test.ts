import { describe, expect, it } from 'vitest';
import { parseEvent, partEventId, toRow } from './event.ts';

const valid = {
  eventId: '0B4C5D6E-7F80-4912-A3B4-C5D6E7F80912',
  id: 1,
  projectId: 2,
  name: 'n',
  description: 'd',
  priority: 3,
  removed: false,
  eventTime: '2026-11-23T08:00:00.123Z',
};

describe('events', () => {
  it('parses the edge payload and maps it to a goods_log row', () => {
    const parsed = parseEvent(new TextEncoder().encode(JSON.stringify(valid)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(toRow(parsed.events[0]!)).toEqual({
      Id: 1,
      ProjectId: 2,
      Name: 'n',
      Description: 'd',
      Priority: 3,
      Removed: 0,
      EventTime: Date.UTC(2026, 10, 23, 8, 0, 0) / 1000,
      EventId: '0b4c5d6e-7f80-4912-a3b4-c5d6e7f80912',
      Kind: '',
      EventTimeMs: Date.UTC(2026, 10, 23, 8, 0, 0, 123),
    });
    expect(toRow({ ...parsed.events[0]!, removed: true }).Removed).toBe(1);
    expect(toRow({ ...parsed.events[0]!, kind: 'reprioritize' }).Kind).toBe('reprioritize');
  });

  it('accepts an offset time and reads it as the same instant', () => {
    const parsed = parseEvent(JSON.stringify({ ...valid, eventTime: '2026-11-23T10:00:00+02:00' }));
    expect(parsed.ok && toRow(parsed.events[0]!).EventTime).toBe(Date.UTC(2026, 10, 23, 8) / 1000);
  });

  it('expands a part into one event per good, with ids that are the same every time', () => {
    const part = {
      eventId: valid.eventId,
      projectId: 2,
      eventTime: valid.eventTime,
      kind: 'reprioritize',
      goods: [
        [1, 'a', '', 5, false],
        [7, 'b', 'd', 6, true],
      ],
    };
    const parsed = parseEvent(JSON.stringify(part));
    const again = parseEvent(JSON.stringify(part));
    expect(parsed.ok && again.ok).toBe(true);
    if (!parsed.ok || !again.ok) return;
    expect(parsed.id).toBe(valid.eventId.toLowerCase());
    expect(parsed.events.map(({ eventId: _, ...rest }) => rest)).toEqual([
      { id: 1, projectId: 2, name: 'a', description: '', priority: 5, removed: false, eventTime: valid.eventTime, kind: 'reprioritize' },
      { id: 7, projectId: 2, name: 'b', description: 'd', priority: 6, removed: true, eventTime: valid.eventTime, kind: 'reprioritize' },
    ]);
    const ids = parsed.events.map((e) => e.eventId);
    expect(again.events.map((e) => e.eventId)).toEqual(ids);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(partEventId(parsed.id, 0)).toBe(ids[0]);
  });

  it.each([
    [
      'a part without goods',
      JSON.stringify({ eventId: valid.eventId, projectId: 2, eventTime: valid.eventTime, kind: 'reprioritize', goods: [] }),
      /goods/,
    ],
    [
      'a part with a short good',
      JSON.stringify({ eventId: valid.eventId, projectId: 2, eventTime: valid.eventTime, kind: 'reprioritize', goods: [[1, 'a']] }),
      /goods/,
    ],
    ['not JSON', '{', /not JSON/],
    ['a bad uuid', JSON.stringify({ ...valid, eventId: 'x' }), /eventId/],
    ['a missing field', JSON.stringify({ ...valid, name: undefined }), /name/],
    ['a fractional priority', JSON.stringify({ ...valid, priority: 1.5 }), /priority/],
    ['an id beyond Int32', JSON.stringify({ ...valid, id: 2 ** 31 }), /id/],
    ['a time without zone', JSON.stringify({ ...valid, eventTime: '2026-11-23 08:00:00' }), /eventTime/],
    ['an array', '[]', /root/],
  ])('rejects %s', (_, data, error) => {
    const parsed = parseEvent(data);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(error);
  });
});
