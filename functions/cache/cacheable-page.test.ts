import { describe, expect, it } from 'vitest';
import { CACHEABLE_SHAPES, isCacheablePage } from './cacheable-page.ts';

describe('isCacheablePage', () => {
  it('caches the first page and the later page boundaries (offset = 1 + k × limit)', () => {
    expect(isCacheablePage(10, 1)).toBe(true);
    expect(isCacheablePage(10, 11)).toBe(true);
    expect(isCacheablePage(20, 41)).toBe(true);
    expect(isCacheablePage(1, 2)).toBe(true);
    expect(isCacheablePage(7, 1)).toBe(true);
  });

  it('does not cache an offset one off a page boundary', () => {
    for (const offset of [10, 12, 20, 22]) expect(isCacheablePage(10, offset)).toBe(false);
    expect(isCacheablePage(100, 100)).toBe(false);
    expect(isCacheablePage(100, 102)).toBe(false);
  });

  it('takes offsets as the schema hands them over: 1-based, with 0 already read as 1', () => {
    expect(isCacheablePage(10, 0)).toBe(false);
    expect(isCacheablePage(1, 0)).toBe(false);
    expect(isCacheablePage(1, 1)).toBe(true);
  });

  it('does not cache a size outside the set', () => {
    for (const limit of [0, 11, 15, 19, 25, 99, 101, 1000]) expect(isCacheablePage(limit, 1)).toBe(false);
  });

  it('caches the first 100 pages of a size and none after them', () => {
    expect(isCacheablePage(10, 1 + 99 * 10)).toBe(true);
    expect(isCacheablePage(10, 1 + 100 * 10)).toBe(false);
    expect(isCacheablePage(100, 1 + 99 * 100)).toBe(true);
    expect(isCacheablePage(100, 1 + 100 * 100)).toBe(false);
    expect(isCacheablePage(1, 100)).toBe(true);
    expect(isCacheablePage(1, 101)).toBe(false);
    expect(isCacheablePage(10, 2_147_483_641)).toBe(false);
  });

  it('exports the number of cacheable shapes, which every valid limit stays within', () => {
    let shapes = 0;
    // Past offset 10,000 no shape is cacheable (100 pages of 100 at most).
    for (let limit = 1; limit <= 1000; limit++) {
      for (let offset = 0; offset <= 20_000; offset++) if (isCacheablePage(limit, offset)) shapes++;
    }
    expect(shapes).toBe(CACHEABLE_SHAPES);
    expect(CACHEABLE_SHAPES).toBe(1300);
  });
});
