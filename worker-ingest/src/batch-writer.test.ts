import { describe, expect, it } from 'vitest';
import { createBatchWriter, type Received } from './batch-writer.ts';
import type { GoodEvent } from '../../shared/event.ts';
import type { GoodsLogRow } from './event.ts';
import { createMetrics } from './metrics.ts';

function event(eventId: string, eventTime = '2026-11-23T08:00:00.000Z', projectId = 1): GoodEvent {
  return { eventId, id: 1, projectId, name: 'n', description: '', priority: 1, removed: false, eventTime };
}

/** One lock for every writer of a test, as the Postgres lock is for every worker. */
function mutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(_slots: readonly number[], work: (waitedMs: number) => Promise<T>): Promise<T> => {
    const run = tail.then(() => work(0));
    tail = run.catch(() => undefined);
    return run;
  };
}

function setup(options: { failInserts?: number; stored?: string[]; table?: string[]; exclusive?: ReturnType<typeof mutex> } = {}) {
  const journal: string[] = [];
  const table: string[] = options.table ?? [...(options.stored ?? [])];
  let failures = options.failInserts ?? 0;
  const metrics = createMetrics();
  const lines: Array<Record<string, unknown>> = [];
  const abort = new AbortController();
  const writer = createBatchWriter({
    exclusive: options.exclusive ?? mutex(),
    findExisting: async (rows, { redelivered }) => {
      journal.push(`select ${rows.length}${redelivered ? ' redelivered' : ''}`);
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
  it('tells the existence check when the batch holds a redelivered message', async () => {
    const { writeNow, received, journal } = setup();
    await writeNow(received(['a', 'b']));
    const again = received(['c', 'd']);
    again[1]!.redelivered = true;
    await writeNow(again);
    expect(journal.filter((line) => line.startsWith('select'))).toEqual(['select 2', 'select 2 redelivered']);
  });

  it('inserts each event once, then acks every message, then confirms', async () => {
    const { writeNow, received, journal, metrics, lines } = setup({ stored: ['c'] });
    await writeNow(received(['a', 'b', 'a', 'c']));
    expect(journal).toEqual(['select 3', 'insert a,b', 'ack a', 'ack b', 'ack a', 'ack c', 'confirmed a,b,c']);
    expect(metrics).toMatchObject({ batches: 1, inserts: 1, eventsInserted: 2, duplicatesSkipped: 2 });
    expect(lines).toEqual([
      {
        msg: 'batch',
        size: 4,
        inserted: 2,
        duplicates: 2,
        ms: 0,
        lagMs: 1500,
        queuedMs: 0,
        lockMs: 0,
        lockWaitMs: 0,
        checkMs: 0,
        insertMs: 0,
        commitMs: 0,
      },
    ]);
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

  it('two workers holding copies of one event store it once', async () => {
    // A re-publish past JetStream's duplicate window: the same event in two messages, each taken
    // by another worker. Their checks and INSERTs take turns, so the second sees the first's row.
    const table: string[] = [];
    const exclusive = mutex();
    const one = setup({ table, exclusive });
    const two = setup({ table, exclusive });
    await Promise.all([one.writeNow(one.received(['a', 'b'])), two.writeNow(two.received(['a', 'c']))]);
    expect(table.sort()).toEqual(['a', 'b', 'c']);
    expect(one.metrics.eventsInserted + two.metrics.eventsInserted).toBe(3);
  });

  it('without the shared lock, the same two workers would store the event twice', async () => {
    const table: string[] = [];
    const one = setup({ table, exclusive: (_slots, work) => work(0) });
    const two = setup({ table, exclusive: (_slots, work) => work(0) });
    await Promise.all([one.writeNow(one.received(['a'])), two.writeNow(two.received(['a']))]);
    expect(table).toEqual(['a', 'a']);
  });

  it("locks the slots of the batch's projects, and names them to the check and the INSERT", async () => {
    const seen: Array<readonly number[]> = [];
    const { writer } = setup({
      exclusive: (slots, work) => {
        seen.push(slots);
        return work(0);
      },
    });
    const items: Received[] = [130, 2, 66, 7].map((projectId, i) => ({
      id: `m${i}`,
      events: [event(`e${i}`, undefined, projectId)],
      msg: { ack: () => undefined, working: () => undefined },
    }));
    const prepared = writer.prepare(items);
    // Projects 2, 66 and 130 share slot 2 (ids modulo 64): one lock for the three.
    expect(prepared.slots).toEqual([2, 7]);
    await writer.write(items, prepared);
    expect(seen).toEqual([[2, 7]]);
  });

  it('leaves the batch unacked when stopped while ClickHouse keeps failing', async () => {
    const { writeNow, received, journal, abort } = setup({ failInserts: 100 });
    const writing = writeNow(received(['a']));
    setTimeout(() => abort.abort(new Error('shutdown')), 50);
    await expect(writing).rejects.toThrow('shutdown');
    expect(journal.some((j) => j.startsWith('ack'))).toBe(false);
  });
});
