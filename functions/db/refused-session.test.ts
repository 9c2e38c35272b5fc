import { describe, expect, it } from 'vitest';
import { isRefusedSession, refusedSessionDelayMs } from './refused-session.ts';

describe('refused sessions', () => {
  it('are the startup refusals only, never an error a statement raised', () => {
    expect(isRefusedSession({ code: '53300' })).toBe(true);
    expect(isRefusedSession({ code: '57P03' })).toBe(true);
    for (const other of [{ code: '40P01' }, { code: '23505' }, { code: 53300 }, new Error('53300'), null, undefined, 'x']) {
      expect(isRefusedSession(other)).toBe(false);
    }
  });

  it('wait longer each time, jittered around the base, and stop after six attempts', () => {
    const low = [1, 2, 3, 4, 5, 6].map((n) => refusedSessionDelayMs(n, () => 0));
    const high = [1, 2, 3, 4, 5, 6].map((n) => refusedSessionDelayMs(n, () => 0.999));
    expect(low).toEqual([13, 25, 50, 100, 200, 400]);
    expect(high).toEqual([37, 75, 150, 300, 600, 1199]);
    expect(refusedSessionDelayMs(7)).toBeUndefined();
    expect(refusedSessionDelayMs(0)).toBeUndefined();
  });
});
