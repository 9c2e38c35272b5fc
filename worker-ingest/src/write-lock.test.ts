import { describe, expect, it } from 'vitest';
import { writeLockKey } from './write-lock.ts';

describe('the write lock key', () => {
  it('stays the same from release to release, so workers of two releases exclude each other', () => {
    expect(writeLockKey('goods')).toBe(-927284222);
  });

  it('differs between pipelines, so they do not wait for each other', () => {
    expect(writeLockKey('goods')).not.toBe(writeLockKey('goods-test'));
  });
});
