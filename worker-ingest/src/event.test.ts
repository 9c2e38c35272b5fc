import { describe, expect, it } from 'vitest';
import { parseEvent, toRow } from './event.ts';

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
    expect(toRow(parsed.event)).toEqual({
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
    expect(toRow({ ...parsed.event, removed: true }).Removed).toBe(1);
    expect(toRow({ ...parsed.event, kind: 'reprioritize' }).Kind).toBe('reprioritize');
  });

  it('accepts an offset time and reads it as the same instant', () => {
    const parsed = parseEvent(JSON.stringify({ ...valid, eventTime: '2026-11-23T10:00:00+02:00' }));
    expect(parsed.ok && toRow(parsed.event).EventTime).toBe(Date.UTC(2026, 10, 23, 8) / 1000);
  });

  it.each([
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
