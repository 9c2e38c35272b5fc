import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listCacheKeys } from '../../shared/cache-keys.ts';
import { bridgeStats, createGood, listGoods, removeGood, reprioritize, resetBridgeStats, updateGood } from '../support/api.ts';
import { closeTestDb } from '../support/db.ts';
import { ROOT, testEnv } from '../support/env.ts';
import { redisCommand, resetState } from '../support/reset.ts';
import { services } from '../support/services.ts';
import { sleep, waitFor } from '../support/wait.ts';

async function cachedList(query: Record<string, number> = {}) {
  return waitFor('a cache hit', async () => {
    const response = await listGoods(query);
    return response.headers.get('x-cache') === 'hit' ? response : undefined;
  });
}

beforeEach(async () => {
  await resetState();
  await createGood(1, { name: 'a' });
  await createGood(1, { name: 'b' });
});
afterAll(closeTestDb);

describe('list cache', () => {
  it('misses, then hits without touching Postgres, with a 60 s TTL', async () => {
    const first = await listGoods();
    expect(first.headers.get('x-cache')).toBe('miss');
    const hit = await cachedList();
    expect(hit.text).toBe(first.text);

    await resetBridgeStats();
    const again = await listGoods();
    expect(again.headers.get('x-cache')).toBe('hit');
    const stats = await bridgeStats();
    expect(stats.postgres.totalConnections).toBe(0);

    const keys = listCacheKeys(testEnv.CACHE_NAMESPACE!);
    const generation = (await redisCommand(['GET', keys.generation])) ?? '0';
    const block = (await redisCommand(['GET', keys.block(0)])) ?? '0';
    expect(await redisCommand(['GET', keys.page(10, 1)])).toBe(
      `${generation}.${block}:${first.body.goods.length}:${JSON.stringify(first.body.goods)}`,
    );
    const { total, removed } = first.body.meta;
    expect(await redisCommand(['GET', keys.meta])).toMatch(new RegExp(`^${generation}:\\d+:${total}:${removed}$`));
    const ttl = Number(await redisCommand(['TTL', keys.page(10, 1)]));
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('keys pages by limit and offset', async () => {
    await cachedList({ limit: 1, offset: 1 });
    const second = await listGoods({ limit: 1, offset: 2 });
    expect(second.headers.get('x-cache')).toBe('miss');
    expect(second.body.goods.map((g: any) => g.name)).toEqual(['b']);
  });

  // An update or a remove changes its good in the cached page in place; a create or a
  // reprioritize drops the pages from the first position it changed.
  const writes: [string, () => Promise<unknown>, string, (body: any) => void][] = [
    ['create', () => createGood(1, { name: 'c' }), 'miss', (body) => expect(body.meta.total).toBe(3)],
    ['update', () => updateGood(1, 1, { name: 'renamed' }), 'hit', (body) => expect(body.goods[0].name).toBe('renamed')],
    ['remove', () => removeGood(1, 1), 'hit', (body) => expect([body.meta.removed, body.goods[0].removed]).toEqual([1, true])],
    ['reprioritize', () => reprioritize(2, 1, 1), 'miss', (body) => expect(body.goods[0].id).toBe(2)],
  ];

  it.each(writes)('shows a %s at once (x-cache %s after it)', async (_, write, cache, check) => {
    await cachedList();
    await write();
    const after = await listGoods();
    expect(after.headers.get('x-cache')).toBe(cache);
    check(after.body);
  });

  it('never serves the state before a write once the write has answered, even with lists racing it', async () => {
    let racing = true;
    const racers = Array.from({ length: 4 }, async () => {
      while (racing) await listGoods();
    });
    try {
      for (let i = 0; i < 25; i++) {
        const name = `race-${i}`;
        const created = await createGood(1, { name });
        expect(created.status).toBe(200);
        const list = await listGoods({ limit: 1000 });
        expect(list.body.goods.map((g: any) => g.name)).toContain(name);
        expect(list.body.meta.total).toBe(3 + i);
      }
    } finally {
      racing = false;
      await Promise.all(racers);
    }
  });
});

describe('list cache while Redis is down', () => {
  const redisCli = (...args: string[]) => execFileSync('redis-cli', ['-p', testEnv.REDIS_PORT!, ...args], { encoding: 'utf8' });
  const dump = join(ROOT, '.data/redis/dump.rdb');

  afterEach(() => rmSync(dump, { force: true }));

  it('serves the list from Postgres, lets writes succeed, and the stale pages do not come back with Redis', async () => {
    await cachedList();
    // Snapshot the cache, stop Redis, and bring it back later from that snapshot: exactly the
    // pages and generation counter that were there when a write could not invalidate them.
    redisCli('SAVE');
    redisCli('SHUTDOWN', 'NOSAVE');

    const created = await createGood(1, { name: 'during outage' });
    expect(created.status).toBe(200);
    const during = await listGoods();
    expect(during.status).toBe(200);
    expect(during.headers.get('x-cache')).toBe('bypass');
    expect(during.body.meta.total).toBe(3);

    // The outage lasts long enough for the write's own invalidation to fail and be retried.
    await sleep(1_000);
    await services('up', 'redis');
    // The failed invalidation is retried every 200 ms: the old pages go as soon as Redis answers,
    // and once a list from the cache shows the write, none shows the page from before it again.
    await waitFor(
      'a cached list with the write',
      async () => {
        const after = await listGoods();
        return after.headers.get('x-cache') !== 'bypass' && after.body.meta.total === 3;
      },
      2_000,
    );
    for (let i = 0; i < 5; i++) expect((await listGoods()).body.meta.total).toBe(3);
  });
});
