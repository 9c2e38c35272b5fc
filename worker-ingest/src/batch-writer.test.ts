import { describe, expect, it } from 'vitest';
import { createBatchWriter, type Received } from './batch-writer.ts';
import type { GoodEvent } from '../../shared/event.ts';
import type { GoodsLogRow } from './event.ts';
import { createMetrics } from './metrics.ts';

function event(eventId: string, eventTime = '2026-11-23T08:00:00.000Z'): GoodEvent {
  return { eventId, id: 1, projectId: 1, name: 'n', description: '', priority: 1, removed: false, eventTime };
}

function setup(options: { failInserts?: number; stored?: string[] } = {}) {
  const journal: string[] = [];
  const table: string[] = [...(options.stored ?? [])];
  let failures = options.failInserts ?? 0;
  const metrics = createMetrics();
  const lines: Array<Record<string, unknown>> = [];
  const abort = new AbortController();
  const writer = createBatchWriter({
    findExisting: async (rows) => {
      journal.push(`select ${rows.length}`);
      return new Set(rows.map((r) => r.EventId).filter((id) => table.includes(id)));
    },
    insert: async (rows: readonly GoodsLogRow[]) => {
      journal.push(`insert ${rows.map((r) => r.EventId).join(',')}`);
      table.push(...rows.map((r) => r.EventId)); // stored even when the answer is lost below
      if (failures-- > 0) throw new Error('answer lost');
    },
    confirmed: (ids) => journal.push(`confirmed ${ids.join(',')}`),
    keepAlive: () => journal.push('keepAlive'),
    keepAliveEveryMs: 60_000,
    signal: abort.signal,
    metrics,
    log: (msg, fields) => lines.push({ msg, ...fields }),
    now: () => Date.parse('2026-11-23T08:00:01.500Z'),
  });
  const received = (ids: string[]): Received[] =>
    ids.map((id) => ({ id, events: [event(id)], msg: { ack: () => journal.push(`ack ${id}`), working: () => journal.push('working') } }));
  const writeNow = (items: Received[]) => writer.write(items, writer.prepare(items));
  return { writer, writeNow, received, journal, table, metrics, lines, abort };
}

describe('batch writer', () => {
  it('inserts each event once, then acks every message, then confirms', async () => {
    const { writeNow, received, journal, metrics, lines } = setup({ stored: ['c'] });
    await writeNow(received(['a', 'b', 'a', 'c']));
    expect(journal).toEqual(['select 3', 'insert a,b', 'ack a', 'ack b', 'ack a', 'ack c', 'confirmed a,b,c']);
    expect(metrics).toMatchObject({ batches: 1, inserts: 1, eventsInserted: 2, duplicatesSkipped: 2 });
    expect(lines).toEqual([{ msg: 'batch', size: 4, inserted: 2, duplicates: 2, ms: 0, lagMs: 1500 }]);
  });

  it('after an INSERT whose answer was lost, checks again and does not insert twice', async () => {
    const { writeNow, received, journal, metrics, table } = setup({ failInserts: 1 });
    await writeNow(received(['a']));
    expect(journal).toEqual(['select 1', 'insert a', 'select 1', 'ack a', 'confirmed a']);
    expect(metrics).toMatchObject({ retries: 1, inserts: 0, eventsInserted: 0, duplicatesSkipped: 1 });
    expect(table).toEqual(['a']);
  });

  it('sends no INSERT when every event is already stored', async () => {
    const { writeNow, received, journal, metrics } = setup({ stored: ['a'] });
    await writeNow(received(['a']));
    expect(journal).not.toContain('insert a');
    expect(metrics.inserts).toBe(0);
  });

  it('a batch checked before the previous one was inserted still skips what that one stored', async () => {
    // The first INSERT loses its answer, so the first batch ends up counting "a" as already
    // stored: the second batch must skip "a" all the same.
    const { writer, received, table } = setup({ failInserts: 1 });
    const first = received(['a', 'b']);
    const second = received(['a', 'c']);
    const p1 = writer.prepare(first);
    const p2 = writer.prepare(second); // both checks see an empty table
    await writer.write(first, p1);
    await writer.write(second, p2);
    expect(table.sort()).toEqual(['a', 'b', 'c']);
  });

  it('does not trust an early check when the previous write did not complete', async () => {
    const { writer, received, table, abort, journal } = setup({ failInserts: 100 });
    const first = received(['a']);
    const second = received(['a']);
    const p1 = writer.prepare(first);
    const p2 = writer.prepare(second);
    setTimeout(() => abort.abort(new Error('shutdown')), 50);
    await expect(writer.write(first, p1)).rejects.toThrow('shutdown');
    expect(journal.some((j) => j.startsWith('ack'))).toBe(false); // left unacked for redelivery
    await expect(writer.write(second, p2)).rejects.toThrow('shutdown');
    expect(new Set(table)).toEqual(new Set(['a']));
  });

  it('leaves the batch unacked when stopped while ClickHouse keeps failing', async () => {
    const { writeNow, received, journal, abort } = setup({ failInserts: 100 });
    const writing = writeNow(received(['a']));
    setTimeout(() => abort.abort(new Error('shutdown')), 50);
    await expect(writing).rejects.toThrow('shutdown');
    expect(journal.some((j) => j.startsWith('ack'))).toBe(false);
  });
});
