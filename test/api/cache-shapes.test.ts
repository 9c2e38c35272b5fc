import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CACHEABLE_SHAPES, isCacheablePage } from '../../functions/cache/cacheable-page.ts';
import { listCacheKeys } from '../../shared/cache-keys.ts';
import { listGoods } from '../support/api.ts';
import { closeTestDb } from '../support/db.ts';
import { testEnv } from '../support/env.ts';
import { redisCommand, resetState } from '../support/reset.ts';

const REQUESTS = 10_000;
const CONCURRENCY = 32;
const pageKeys = `${listCacheKeys(testEnv.CACHE_NAMESPACE!).pagePrefix}*`;

/** Every list page key in Redis, by SCAN (never KEYS). */
async function scanPageKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await redisCommand(['SCAN', cursor, 'MATCH', pageKeys, 'COUNT', 1000])) as [string, string[]];
    keys.push(...batch);
    cursor = String(next);
  } while (cursor !== '0');
  return [...new Set(keys)];
}

/**
 * `count` distinct (limit, offset) shapes: what any client could send, then every cacheable one
 * (last, so that their pages are still within the TTL when the keys are counted).
 */
function distinctShapes(count: number): [number, number][] {
  const seen = new Set<string>();
  const shapes: [number, number][] = [];
  const add = (limit: number, offset: number) => {
    const key = `${limit}:${offset}`;
    if (shapes.length < count && !seen.has(key)) {
      seen.add(key);
      shapes.push([limit, offset]);
    }
  };
  for (let limit = 1; limit <= 1000; limit++) {
    for (let k = 0; k < 100; k++) if (isCacheablePage(limit, 1 + k * limit)) add(limit, 1 + k * limit);
  }
  for (let i = 0; shapes.length < count; i++) add(1 + (i % 1000), 1 + ((i * 7919) % 100_000));
  return shapes.reverse();
}

beforeEach(async () => {
  await resetState();
  const stale = await scanPageKeys();
  for (let i = 0; i < stale.length; i += 500) await redisCommand(['DEL', ...stale.slice(i, i + 500)]);
});
afterAll(closeTestDb);

describe('list cache shapes', () => {
  it(`${REQUESTS} distinct (limit, offset) lists leave at most ${CACHEABLE_SHAPES} page keys in Redis`, { timeout: 600_000 }, async () => {
    const shapes = distinctShapes(REQUESTS);
    expect(shapes).toHaveLength(REQUESTS);
    const wrong: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < shapes.length) {
        const [limit, offset] = shapes[next++]!;
        const response = await listGoods({ limit, offset });
        const cache = response.headers.get('x-cache');
        const expected = isCacheablePage(limit, offset) ? cache !== 'bypass' : cache === 'bypass';
        if (response.status !== 200 || !expected) wrong.push(`${limit}:${offset} -> ${response.status} ${cache}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(wrong.slice(0, 10)).toEqual([]);

    const keys = await scanPageKeys();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.length).toBeLessThanOrEqual(CACHEABLE_SHAPES);
  });
});
