import { describe, expect, it } from 'vitest';
import { type FakeQuery, type Fakes, fakeAdapters } from '../../test/support/fake-adapters.ts';
import { sendInProcess } from '../../test/support/in-process.ts';

const page = { total: '0', removed: '0', version: '0', goods: [] };

function postgres({ sql }: FakeQuery): Record<string, unknown>[] {
  if (sql.includes('goods_stats')) return [page];
  throw new Error(`unexpected statement: ${sql}`);
}

/** Every call the handler makes on the list cache fake, as `lookup|store limit:offset`. */
function recordCacheCalls(fakes: Fakes): string[] {
  const calls: string[] = [];
  const make = fakes.adapters;
  fakes.adapters = (c) => {
    const adapters = make(c);
    const cache = adapters.listCache;
    return {
      ...adapters,
      listCache: {
        pageKey: (limit, offset) => cache.pageKey(limit, offset),
        lookup: (limit, offset) => {
          calls.push(`lookup ${limit}:${offset}`);
          return cache.lookup(limit, offset);
        },
        store: (stamp, limit, offset, body, counts) => {
          calls.push(`store ${limit}:${offset}`);
          return cache.store(stamp, limit, offset, body, counts);
        },
        invalidate: (change, ids) => cache.invalidate(change, ids),
      },
    };
  };
  return calls;
}

async function list(fakes: Fakes, query: Record<string, number>) {
  const response = await sendInProcess(fakes, 'GET', '/goods/list', { query });
  await fakes.settle();
  return response;
}

describe('list, by page shape', () => {
  it.each([
    ['off a page boundary', { limit: 10, offset: 12 }],
    ['a size outside the set', { limit: 13, offset: 1 }],
    ['past the cached pages', { limit: 10, offset: 1001 }],
  ])('%s: served from Postgres with x-cache bypass, the cache never touched', async (_, query) => {
    const fakes = fakeAdapters(postgres);
    const calls = recordCacheCalls(fakes);
    for (let i = 0; i < 2; i++) {
      const response = await list(fakes, query);
      expect([response.status, response.headers.get('x-cache')]).toEqual([200, 'bypass']);
      expect(response.body.meta).toEqual({ total: 0, removed: 0, ...query });
    }
    expect(calls).toEqual([]);
    expect(fakes.pages.size).toBe(0);
    expect(fakes.queries).toHaveLength(2);
  });

  it('a page boundary: looked up, stored, then served from the cache', async () => {
    const fakes = fakeAdapters(postgres);
    const calls = recordCacheCalls(fakes);
    expect((await list(fakes, { limit: 20, offset: 21 })).headers.get('x-cache')).toBe('miss');
    expect((await list(fakes, { limit: 20, offset: 21 })).headers.get('x-cache')).toBe('hit');
    expect(calls).toEqual(['lookup 20:21', 'store 20:21', 'lookup 20:21']);
    expect(fakes.queries).toHaveLength(1);
  });

  it('offset 0 is the first page, and cached as it', async () => {
    const fakes = fakeAdapters(postgres);
    const calls = recordCacheCalls(fakes);
    expect((await list(fakes, { limit: 10, offset: 0 })).headers.get('x-cache')).toBe('miss');
    expect((await list(fakes, { limit: 10, offset: 1 })).headers.get('x-cache')).toBe('hit');
    expect(calls).toEqual(['lookup 10:1', 'store 10:1', 'lookup 10:1']);
  });
});

describe('list, raced by a write', () => {
  it('a page read while a write lands is stored under the stamp read before it, so it never serves', async () => {
    let writeLands = (): Promise<void> => Promise.resolve();
    const fakes = fakeAdapters((query) => {
      // The write commits and invalidates between the lookup and the page's query.
      void writeLands();
      return postgres(query);
    });
    writeLands = () => fakes.adapters(undefined as never).listCache.invalidate({ first: 1, last: 1, version: 0, total: 0, removed: 0 }, []);
    expect((await list(fakes, { limit: 10, offset: 1 })).headers.get('x-cache')).toBe('miss');
    writeLands = () => Promise.resolve();
    expect(fakes.invalidations).toBe(1);
    expect(fakes.pages.get('10:1')?.stamp).toBe('0');
    expect((await list(fakes, { limit: 10, offset: 1 })).headers.get('x-cache')).toBe('miss');
    expect((await list(fakes, { limit: 10, offset: 1 })).headers.get('x-cache')).toBe('hit');
  });
});

describe('list, sharing a read', () => {
  it("a request that joined another's read reads the page itself when that read fails", async () => {
    let failFirst: (error: Error) => void = () => undefined;
    let calls = 0;
    const fakes = fakeAdapters((query) => {
      // The first read hangs until failed, as another request's read does when that request ends.
      if (++calls === 1) return new Promise((_, reject) => (failFirst = reject));
      return postgres(query);
    });
    const first = list(fakes, { limit: 10, offset: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20)); // the first read is in flight
    const second = list(fakes, { limit: 10, offset: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20)); // the second has joined it
    expect(calls).toBe(1);
    failFirst(new Error('Cannot perform I/O on behalf of a different request.'));
    expect((await second).status).toBe(200);
    expect((await first).status).toBe(500); // its own read failed: its answer, as before
    expect(calls).toBe(2);
  });
});
