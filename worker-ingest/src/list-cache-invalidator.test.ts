import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ListCacheBackstop, startListCacheInvalidator } from './list-cache-invalidator.ts';

const EVERY_MS = 100;

function fakeCache(invalidated: Set<string>) {
  const calls: string[] = [];
  let down = false;
  const cache: ListCacheBackstop = {
    anyUninvalidated: async (ids) => {
      calls.push(`check ${ids.join(',')}`);
      if (down) throw new Error('Redis is down');
      return ids.some((id) => !invalidated.has(id));
    },
    bumpGeneration: async () => {
      calls.push('bump');
      if (down) throw new Error('Redis is down');
    },
  };
  return { cache, calls, setDown: (value: boolean) => (down = value) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the list cache backstop', () => {
  it('bumps the generation once at start, then only for stored messages whose invalidation left no record', async () => {
    const { cache, calls } = fakeCache(new Set(['a', 'b']));
    const invalidator = startListCacheInvalidator(cache, EVERY_MS, () => {});
    await vi.advanceTimersByTimeAsync(EVERY_MS);
    expect(calls).toEqual(['bump']);

    invalidator.stored(['a', 'b']);
    await vi.advanceTimersByTimeAsync(EVERY_MS);
    expect(calls).toEqual(['bump', 'check a,b']);

    invalidator.stored(['b', 'c']);
    await vi.advanceTimersByTimeAsync(EVERY_MS);
    expect(calls).toEqual(['bump', 'check a,b', 'check b,c', 'bump']);

    await vi.advanceTimersByTimeAsync(3 * EVERY_MS);
    expect(calls).toHaveLength(4);
    await invalidator.stop();
  });

  it('keeps what it could not check or bump for the next tick while Redis is down', async () => {
    const { cache, calls, setDown } = fakeCache(new Set());
    const invalidator = startListCacheInvalidator(cache, EVERY_MS, () => {});
    await vi.advanceTimersByTimeAsync(EVERY_MS);
    setDown(true);
    invalidator.stored(['x']);
    await vi.advanceTimersByTimeAsync(EVERY_MS);
    expect(calls).toEqual(['bump', 'check x']);
    await vi.advanceTimersByTimeAsync(EVERY_MS);
    expect(calls).toEqual(['bump', 'check x', 'check x']);
    setDown(false);
    await vi.advanceTimersByTimeAsync(EVERY_MS);
    expect(calls).toEqual(['bump', 'check x', 'check x', 'check x', 'bump']);
    await invalidator.stop();
  });
});
