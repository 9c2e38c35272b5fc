import { describe, expect, it } from 'vitest';
import { writeLockKey } from './write-lock.ts';

describe('the write lock key', () => {
  it('stays what earlier releases computed, so workers of two releases exclude each other', () => {
    expect(writeLockKey('http://127.0.0.1:18123 goods')).toBe(-789391318);
  });

  it('differs between goods_logs, so their pipelines do not wait for each other', () => {
    expect(writeLockKey('http://127.0.0.1:18123 goods')).not.toBe(writeLockKey('http://127.0.0.1:18123 goods_test'));
  });
});
