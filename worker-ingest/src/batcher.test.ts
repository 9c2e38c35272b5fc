import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, retry } from './backoff.ts';
import { Batcher } from './batcher.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setup(maxSize = 3, maxMs = 1000) {
  const written: number[][] = [];
  let release: (() => void) | undefined;
  let blocked = false;
  const batcher = new Batcher<number, undefined>({
    maxSize,
    maxMs,
    prepare: () => undefined,
    write: async (items) => {
      written.push(items);
      if (blocked) await new Promise<void>((r) => (release = r));
    },
    onError: () => undefined,
  });
  return {
    batcher,
    written,
    block: () => (blocked = true),
    unblock: () => {
      blocked = false;
      release?.();
    },
  };
}

describe('Batcher', () => {
  it('writes a batch as soon as it is full', async () => {
    const { batcher, written } = setup();
    for (const i of [1, 2, 3, 4]) await batcher.add(i);
    await vi.advanceTimersByTimeAsync(0);
    expect(written).toEqual([[1, 2, 3]]);
    expect(batcher.held()).toEqual([4]);
  });

  it('writes a partial batch maxMs after its first item', async () => {
    const { batcher, written } = setup();
    await batcher.add(1);
    await vi.advanceTimersByTimeAsync(600);
    await batcher.add(2);
    await vi.advanceTimersByTimeAsync(399);
    expect(written).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual([[1, 2]]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(written).toEqual([[1, 2]]); // no empty batches
  });

  it('prepares the next batch while one is written; add() waits when a third is full', async () => {
    const prepared: number[][] = [];
    const written: number[][] = [];
    let release: (() => void) | undefined;
    const batcher = new Batcher<number, number>({
      maxSize: 2,
      maxMs: 1000,
      prepare: (items) => prepared.push(items) - 1,
      write: async (items, index) => {
        expect(prepared[index]).toBe(items);
        written.push(items);
        if (written.length === 1) await new Promise<void>((r) => (release = r));
      },
      onError: () => undefined,
    });
    for (const i of [1, 2]) await batcher.add(i); // closed, being written (blocked)
    for (const i of [3, 4]) await batcher.add(i); // closed and prepared behind it
    expect(prepared).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await batcher.add(5);
    let added = false;
    const sixth = batcher.add(6).then(() => (added = true)); // a third full batch: must wait
    await vi.advanceTimersByTimeAsync(10);
    expect(added).toBe(false);
    expect(batcher.held()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batcher.heldCount()).toBe(6);
    release!();
    await sixth;
    await batcher.flush();
    expect(written).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(batcher.held()).toEqual([]);
    expect(batcher.heldCount()).toBe(0);
  });

  it('a timer close while the pipeline is full takes what arrived meanwhile', async () => {
    const { batcher, written, block, unblock } = setup(10, 100);
    block();
    await batcher.add(1);
    await vi.advanceTimersByTimeAsync(100); // [1] is being written (blocked)
    await batcher.add(2);
    await vi.advanceTimersByTimeAsync(100); // [2] closed, waits behind [1]
    await batcher.add(3);
    await vi.advanceTimersByTimeAsync(100); // no room: the close waits
    await batcher.add(4);
    unblock();
    await batcher.flush();
    expect(written).toEqual([[1], [2], [3, 4]]);
  });

  it('flush() writes what is collected and waits for it', async () => {
    const { batcher, written } = setup(10);
    await batcher.add(1);
    await batcher.flush();
    expect(written).toEqual([[1]]);
    await batcher.flush();
    expect(written).toEqual([[1]]);
  });

  it('reports a failed write and goes on', async () => {
    const errors: unknown[] = [];
    const batcher = new Batcher<number, undefined>({
      maxSize: 1,
      maxMs: 10,
      prepare: () => undefined,
      write: async (items) => {
        if (items[0] === 1) throw new Error('boom');
      },
      onError: (error, items) => errors.push([(error as Error).message, items]),
    });
    await batcher.add(1);
    await batcher.add(2);
    expect(errors).toEqual([['boom', [1]]]);
  });
});

describe('retry', () => {
  it('waits longer after each failure, up to the cap', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 200, 10_000, middle))).toEqual([200, 400, 800, 1600, 10_000]);
  });

  it('retries until success and stops when aborted', async () => {
    let calls = 0;
    const result = retry(async () => {
      if (++calls < 3) throw new Error('down');
      return 'ok';
    });
    await vi.advanceTimersByTimeAsync(2000);
    expect(await result).toBe('ok');

    const abort = new AbortController();
    const forever = retry(() => Promise.reject(new Error('down')), { signal: abort.signal });
    const outcome = forever.catch((e: Error) => e.message);
    await vi.advanceTimersByTimeAsync(1000);
    abort.abort(new Error('stopping'));
    expect(await outcome).toBe('stopping');
  });
});
