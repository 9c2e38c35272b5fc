import { describe, expect, it } from 'vitest';
import type { GoodEvent } from '../../shared/event.ts';
import { type FakeQuery, fakeAdapters } from '../../test/support/fake-adapters.ts';
import { sendInProcess } from '../../test/support/in-process.ts';

const good = { id: 7, projectId: 1, name: 'a', description: '', priority: 7, removed: false, createdAt: '2026-11-25T00:00:00.000Z' };
const event: GoodEvent = { eventId: '0b6c1f0e-4b53-4a43-9a9f-1f0b9e1c2d3e', ...good, eventTime: '2026-11-25T00:00:00.000Z' };
const page = { total: '1', removed: '0', version: '1', goods: [good] };
const list = { first: 1, last: 1, version: 1, total: 1, removed: 0 };

/** Postgres as the write functions and the list query answer it. */
function postgres({ sql }: FakeQuery): Record<string, unknown>[] {
  if (sql.includes('goods_create') || sql.includes('goods_update')) return [{ out: { good, events: [event], list } }];
  if (sql.includes('goods_remove')) return [{ out: null }];
  if (sql.includes('goods_stats')) return [page];
  throw new Error(`unexpected statement: ${sql}`);
}

const send = sendInProcess;

describe('handlers, with fake adapters', () => {
  it('create: one statement, the list invalidated before the answer, the event published after it', async () => {
    const fakes = fakeAdapters(postgres);
    const response = await send(fakes, 'POST', '/goods/create', { query: { projectId: 1 }, json: { name: 'a', description: null } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(good);
    // The commit deadline first, then the call's arguments; a null description is an absent one.
    expect(fakes.queries.map((q) => q.params)).toEqual([[expect.stringMatching(/Z$/), 1, 'a', '']]);
    expect(fakes.invalidations).toBe(1);
    await fakes.settle();
    expect(fakes.published).toEqual([[event]]);
  });

  it('reads a body as JSON whatever its Content-Type', async () => {
    const fakes = fakeAdapters(postgres);
    for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded']) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      const response = await send(fakes, 'PATCH', '/goods/update', { query: { id: 7, projectId: 1 }, raw: '{"name":"a"}', headers });
      expect(response.status).toBe(200);
    }
    expect(fakes.queries.map((q) => q.params.slice(1))).toEqual(Array(3).fill([7, 1, 'a', null]));
  });

  it('remove of a missing good: 404 in the contract shape, no invalidation, nothing published', async () => {
    const fakes = fakeAdapters(postgres);
    const response = await send(fakes, 'DELETE', '/goods/remove', { query: { id: 9, projectId: 1 } });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ code: 3, message: 'errors.good.notFound', details: {} });
    await fakes.settle();
    expect([fakes.invalidations, fakes.published]).toEqual([0, []]);
  });

  it('a write without the configured token: 401 and no statement; with it, 200', async () => {
    const fakes = fakeAdapters(postgres);
    const env = { API_TOKEN: 's3cret' };
    const create = (headers: Record<string, string>) =>
      send(fakes, 'POST', '/goods/create', { query: { projectId: 1 }, json: { name: 'a' }, headers }, env);
    expect((await create({})).body).toEqual({ code: 4, message: 'errors.auth.unauthorized', details: {} });
    expect((await create({ authorization: 'Bearer wrong' })).status).toBe(401);
    expect(fakes.queries).toEqual([]);
    expect((await create({ authorization: 'Bearer s3cret' })).status).toBe(200);
  });

  it('list: a miss reads Postgres and stores the page; the next request is a hit; a write makes it a miss', async () => {
    const fakes = fakeAdapters(postgres);
    const list = () => send(fakes, 'GET', '/goods/list', { query: { limit: 10, offset: 1 } });
    const miss = await list();
    expect([miss.status, miss.headers.get('x-cache')]).toEqual([200, 'miss']);
    expect(miss.body).toEqual({ meta: { total: 1, removed: 0, limit: 10, offset: 1 }, goods: [good] });
    await fakes.settle();
    const hit = await list();
    expect([hit.headers.get('x-cache'), hit.text]).toEqual(['hit', miss.text]);
    expect(fakes.queries).toHaveLength(1);

    await send(fakes, 'POST', '/goods/create', { query: { projectId: 1 }, json: { name: 'a' } });
    expect((await list()).headers.get('x-cache')).toBe('miss');
  });
});
