import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { api, createGood, listGoods, removeGood, reprioritize, updateGood } from '../support/api.ts';
import { closeTestDb, createProject, misplacedGoods, testDb } from '../support/db.ts';
import { API_URL } from '../support/env.ts';
import { resetState } from '../support/reset.ts';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const JSON_UTF8 = 'application/json; charset=utf-8';

function expectGood(good: any, expected: Record<string, unknown>) {
  expect(Object.keys(good).sort()).toEqual(['createdAt', 'description', 'id', 'name', 'priority', 'projectId', 'removed']);
  expect(good).toMatchObject(expected);
  expect(good.createdAt).toMatch(ISO_UTC);
  expect(Math.abs(Date.parse(good.createdAt) - Date.now())).toBeLessThan(60_000);
}

/** A byte body: fetch adds no Content-Type of its own, like the original service's Go clients. */
function withoutContentType(method: string, pathAndQuery: string, body: string): Promise<Response> {
  return fetch(`${API_URL}${pathAndQuery}`, { method, body: new TextEncoder().encode(body) });
}

beforeEach(resetState);
afterAll(closeTestDb);

describe('migrations', () => {
  it('seed the default project', async () => {
    const { rows } = await testDb().query('SELECT id, name FROM projects WHERE id = 1');
    expect(rows).toEqual([{ id: 1, name: 'Первая запись' }]);
  });
});

describe('create', () => {
  it('returns the new good with priority max + 1', async () => {
    const first = await createGood(1, { name: 'first' });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe(JSON_UTF8);
    expectGood(first.body, { id: 1, projectId: 1, name: 'first', description: '', priority: 1, removed: false });

    const second = await createGood(1, { name: '  second  ', description: 'about it' });
    expectGood(second.body, { id: 2, projectId: 1, name: 'second', description: 'about it', priority: 2, removed: false });
  });

  it('answers at the original spelling too', async () => {
    const response = await api('POST', '/good/create', { query: { projectId: 1 }, json: { name: 'alias' } });
    expect(response.status).toBe(200);
    expectGood(response.body, { name: 'alias', priority: 1 });
  });

  it('is 404 errors.project.notFound for a missing project', async () => {
    const response = await createGood(999, { name: 'x' });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ code: 3, message: 'errors.project.notFound', details: {} });
    expect(response.headers.get('content-type')).toBe(JSON_UTF8);
  });

  it('puts goods of other projects in the same priority order', async () => {
    const other = await createProject('second project');
    await createGood(1, { name: 'a' });
    const response = await createGood(other, { name: 'b' });
    expectGood(response.body, { projectId: other, priority: 2 });
  });
});

describe('request bodies', () => {
  // Clients of the original service, written in Go, never set Content-Type.
  it.each([
    ['the form type `curl -d` sends', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['text/plain', { 'content-type': 'text/plain' }],
  ])('are read as JSON with %s', async (_, headers) => {
    const response = await api('POST', '/goods/create', { query: { projectId: 1 }, raw: '{"name":"from curl"}', headers });
    expect(response.status).toBe(200);
    expectGood(response.body, { name: 'from curl', description: '' });
  });

  it('are read as JSON without any Content-Type', async () => {
    const created = await withoutContentType('POST', '/goods/create?projectId=1', '{"name":"from go"}');
    expect(created.status).toBe(200);
    expectGood(await created.json(), { id: 1, name: 'from go', description: '' });
    const updated = await withoutContentType('PATCH', '/goods/update?id=1&projectId=1', '{"name":"renamed"}');
    expect(updated.status).toBe(200);
    expectGood(await updated.json(), { id: 1, name: 'renamed', description: '' });
  });

  it('treat "description": null as absent: "" on create, unchanged on update', async () => {
    const created = await createGood(1, { name: 'n', description: null });
    expect(created.status).toBe(200);
    expect(created.body.description).toBe('');
    await updateGood(1, 1, { name: 'n', description: 'kept' });
    const updated = await updateGood(1, 1, { name: 'renamed', description: null });
    expect(updated.status).toBe(200);
    expectGood(updated.body, { name: 'renamed', description: 'kept' });
  });

  it('that are not a JSON object are 400 errors.request.invalid naming the body', async () => {
    const response = await api('POST', '/goods/create', {
      query: { projectId: 1 },
      raw: 'name=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ code: 2, message: 'errors.request.invalid', details: { body: 'is not valid JSON' } });
  });
});

describe('query parameters', () => {
  it.each([
    ['DELETE', '/goods/remove', { projectId: 1 }, { id: 'is required' }],
    ['DELETE', '/goods/remove', { id: -1, projectId: 1 }, { id: 'must be positive' }],
    ['DELETE', '/goods/remove', { id: 'abc', projectId: 1 }, { id: 'must be an integer' }],
    ['DELETE', '/goods/remove', { id: 1, projectId: '99999999999999999999' }, { projectId: 'must be at most 2147483647' }],
    ['GET', '/goods/list', { limit: -1 }, { limit: 'must be at least 1' }],
    ['GET', '/goods/list', { offset: -1 }, { offset: 'must not be negative' }],
  ])('%s %s %j is 400 naming the rule the value broke', async (method, path, query, details) => {
    const response = await api(method, path, { query });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ code: 2, message: 'errors.request.invalid', details });
  });
});

describe('update', () => {
  it('changes the name and keeps the description when it is absent', async () => {
    await createGood(1, { name: 'old', description: 'kept' });
    const response = await updateGood(1, 1, { name: ' new ' });
    expect(response.status).toBe(200);
    expectGood(response.body, { id: 1, projectId: 1, name: 'new', description: 'kept', priority: 1, removed: false });
  });

  it('changes the description when given, also to empty', async () => {
    await createGood(1, { name: 'n', description: 'd' });
    const response = await api('PATCH', '/good/update', { query: { id: 1, projectId: 1 }, json: { name: 'n', description: '' } });
    expect(response.status).toBe(200);
    expect(response.body.description).toBe('');
  });

  it('is 404 for a missing good, another project, or a removed good', async () => {
    const other = await createProject('other');
    await createGood(1, { name: 'n' });
    await createGood(1, { name: 'gone' });
    await removeGood(2, 1);
    for (const [id, projectId] of [
      [99, 1],
      [1, other],
      [2, 1],
    ] as const) {
      const response = await updateGood(id, projectId, { name: 'x' });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ code: 3, message: 'errors.good.notFound', details: {} });
    }
  });
});

describe('remove', () => {
  it('soft-deletes and answers with campaignId', async () => {
    await createGood(1, { name: 'n' });
    const response = await removeGood(1, 1);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: 1, campaignId: 1, removed: true });
    const { rows } = await testDb().query('SELECT removed FROM goods WHERE id = 1');
    expect(rows).toEqual([{ removed: true }]);
  });

  it('answers at the original spelling and is 404 the second time', async () => {
    await createGood(1, { name: 'n' });
    expect((await api('DELETE', '/good/remove', { query: { id: 1, projectId: 1 } })).status).toBe(200);
    const again = await removeGood(1, 1);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ code: 3, message: 'errors.good.notFound', details: {} });
  });

  it('is 404 for a good of another project', async () => {
    const other = await createProject('other');
    await createGood(1, { name: 'n' });
    expect((await removeGood(1, other)).status).toBe(404);
  });
});

describe('reprioritize', () => {
  async function seed(count: number) {
    for (let i = 1; i <= count; i++) await createGood(1, { name: `g${i}` });
  }

  it('moves the good up and pushes the later ones down by one', async () => {
    await seed(5);
    const response = await reprioritize(5, 1, 2);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      priorities: [
        { id: 5, priority: 2 },
        { id: 2, priority: 3 },
        { id: 3, priority: 4 },
        { id: 4, priority: 5 },
      ],
    });
  });

  it('moves the good down, leaving its old place empty and priorities distinct', async () => {
    await seed(4);
    const response = await reprioritize(1, 1, 3);
    expect(response.body).toEqual({
      priorities: [
        { id: 1, priority: 3 },
        { id: 3, priority: 4 },
        { id: 4, priority: 5 },
      ],
    });
    const list = await listGoods();
    expect(list.body.goods.map((g: any) => [g.id, g.priority])).toEqual([
      [2, 2],
      [1, 3],
      [3, 4],
      [4, 5],
    ]);
  });

  it('accepts a priority past the end without moving others', async () => {
    await seed(2);
    const response = await reprioritize(1, 1, 10);
    expect(response.body).toEqual({ priorities: [{ id: 1, priority: 10 }] });
  });

  it('shifts removed goods too, so priorities stay distinct', async () => {
    await seed(3);
    await removeGood(2, 1);
    const response = await reprioritize(3, 1, 1);
    expect(response.body.priorities).toEqual([
      { id: 3, priority: 1 },
      { id: 1, priority: 2 },
      { id: 2, priority: 3 },
    ]);
  });

  it('answers at every original spelling', async () => {
    await seed(3);
    for (const path of ['/good/reprioritiize', '/good/reprioritize', '/goods/reprioritiize']) {
      const response = await api('PATCH', path, { query: { id: 3, projectId: 1 }, json: { newPriority: 1 } });
      expect(response.status, path).toBe(200);
      expect(response.body.priorities[0]).toEqual({ id: 3, priority: 1 });
    }
  });

  it('is 404 for missing, other-project and removed goods', async () => {
    const other = await createProject('other');
    await seed(2);
    await removeGood(2, 1);
    for (const [id, projectId] of [
      [9, 1],
      [1, other],
      [2, 1],
    ] as const) {
      const response = await reprioritize(id, projectId, 1);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ code: 3, message: 'errors.good.notFound', details: {} });
    }
  });
});

describe('list', () => {
  it('is empty with defaults filled in', async () => {
    const response = await listGoods();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(JSON_UTF8);
    expect(response.body).toEqual({ meta: { total: 0, removed: 0, limit: 10, offset: 1 }, goods: [] });
  });

  it('pages by 1-based position, in priority order, removed goods included', async () => {
    for (let i = 1; i <= 12; i++) await createGood(1, { name: `g${i}` });
    await removeGood(3, 1);
    await reprioritize(12, 1, 1);

    const first = await listGoods({ limit: 10, offset: 1 });
    expect(first.body.meta).toEqual({ total: 12, removed: 1, limit: 10, offset: 1 });
    expect(first.body.goods).toHaveLength(10);
    expect(first.body.goods[0]).toMatchObject({ id: 12, priority: 1 });
    expect(first.body.goods[3]).toMatchObject({ id: 3, removed: true });
    for (const good of first.body.goods) expectGood(good, {});
    const priorities = first.body.goods.map((g: any) => g.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b));

    const second = await listGoods({ limit: 10, offset: 11 });
    expect(second.body.meta).toEqual({ total: 12, removed: 1, limit: 10, offset: 11 });
    expect(second.body.goods.map((g: any) => g.id)).toEqual([10, 11]);

    const zero = await listGoods({ limit: 3, offset: 0 });
    expect(zero.body.meta.offset).toBe(1);
    expect(zero.body.goods.map((g: any) => g.id)).toEqual([12, 1, 2]);

    const past = await listGoods({ offset: 100 });
    expect(past.body.goods).toEqual([]);
  });
});

describe('list positions', () => {
  it('every single-good page is the good at that position, after moves down, up and past the end', async () => {
    for (let i = 1; i <= 8; i++) await createGood(1, { name: `g${i}` });
    await removeGood(3, 1);
    for (const [id, priority] of [
      [1, 5],
      [8, 2],
      [2, 50],
      [4, 4],
      [5, 5],
    ] as const) {
      expect((await reprioritize(id, 1, priority)).status).toBe(200);
      expect(await misplacedGoods()).toEqual([]);
      const order = (await testDb().query<{ id: number }>('SELECT id FROM goods ORDER BY priority, id')).rows.map((r) => r.id);
      const pages = [];
      for (let offset = 1; offset <= order.length + 1; offset++)
        pages.push(...(await listGoods({ limit: 1, offset })).body.goods.map((g: { id: number }) => g.id));
      expect(pages).toEqual(order);
    }
  });

  it('stays exact when moves into one place use up the room between two keys', async () => {
    for (let i = 1; i <= 12; i++) await createGood(1, { name: `g${i}` });
    // Each move lands between the same two neighbours, halving the gap between their keys: after
    // about 32 moves the keys around it are spread out again.
    for (let move = 0; move < 80; move++) {
      const id = 3 + (move % 8);
      const { rows } = await testDb().query<{ priority: number }>('SELECT priority FROM goods WHERE id = 2');
      expect((await reprioritize(id, 1, rows[0]!.priority + 1)).status).toBe(200);
    }
    expect(await misplacedGoods()).toEqual([]);
    const order = (await testDb().query<{ id: number }>('SELECT id FROM goods ORDER BY priority, id')).rows.map((r) => r.id);
    expect((await listGoods({ limit: 100 })).body.goods.map((g: { id: number }) => g.id)).toEqual(order);
    const { rows } = await testDb().query<{ moved: number }>(
      'SELECT count(*)::int AS moved FROM goods WHERE sort_key % goods_key_spacing() <> 0',
    );
    expect(rows[0]!.moved).toBeGreaterThan(8);
  });
});

describe('x-request-id', () => {
  it("is on every answer: generated, or the caller's own", async () => {
    const answers = await Promise.all([
      createGood(1, { name: 'a' }),
      api('GET', '/goods/list', { query: { limit: 0 } }),
      api('GET', '/nope'),
      api('PUT', '/goods/list'),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 400, 404, 405]);
    const ids = answers.map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(ids.length);
    const own = await api('GET', '/goods/list', { headers: { 'x-request-id': 'client-trace-7' } });
    expect(own.headers.get('x-request-id')).toBe('client-trace-7');
  });
});

describe('routing', () => {
  it('is 404 errors.route.notFound for an unknown path', async () => {
    const response = await api('GET', '/goods/unknown');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ code: 5, message: 'errors.route.notFound', details: {} });
  });

  it('is 405 errors.method.notAllowed with Allow for a known path', async () => {
    for (const [method, path, allow] of [
      ['GET', '/goods/create', 'POST'],
      ['POST', '/goods/list', 'GET'],
      ['DELETE', '/good/update', 'PATCH'],
      ['PUT', '/goods/remove', 'DELETE'],
    ] as const) {
      const response = await api(method, path);
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.body).toEqual({ code: 6, message: 'errors.method.notAllowed', details: {} });
      expect(response.headers.get('allow')).toBe(allow);
    }
  });
});

describe('healthz', () => {
  it('reports every dependency up', async () => {
    const response = await api('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
    for (const name of ['postgres', 'redis', 'nats', 'clickhouse']) {
      expect(response.body.dependencies[name].status, name).toBe('up');
    }
  });
});
