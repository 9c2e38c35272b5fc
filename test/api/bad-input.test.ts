import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type RequestOptions } from '../support/api.ts';
import { closeTestDb, goodsSnapshot } from '../support/db.ts';
import { resetState } from '../support/reset.ts';

interface Case {
  name: string;
  method: string;
  path: string;
  options?: RequestOptions;
  status: number;
  /** A field that `details` must name (400s). */
  field?: string;
  /** The rule `details` must give for that field. */
  message?: string;
}

const good = { id: 1, projectId: 1 };
const json = (body: unknown): RequestOptions => ({ json: body });
const q = (query: Record<string, string | number>, extra: RequestOptions = {}): RequestOptions => ({ ...extra, query });

const cases: Case[] = [
  // query parameters
  {
    name: 'create without projectId',
    method: 'POST',
    path: '/goods/create',
    options: json({ name: 'a' }),
    status: 400,
    field: 'projectId',
    message: 'is required',
  },
  {
    name: 'create with projectId=abc',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 'abc' }, json({ name: 'a' })),
    status: 400,
    field: 'projectId',
    message: 'must be an integer',
  },
  {
    name: 'create with projectId=0',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 0 }, json({ name: 'a' })),
    status: 400,
    field: 'projectId',
    message: 'must be positive',
  },
  {
    name: 'create with projectId=-1',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: -1 }, json({ name: 'a' })),
    status: 400,
    field: 'projectId',
    message: 'must be positive',
  },
  {
    name: 'create with projectId=1.5',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: '1.5' }, json({ name: 'a' })),
    status: 400,
    field: 'projectId',
    message: 'must be an integer',
  },
  {
    name: 'create with projectId=2^31',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 2147483648 }, json({ name: 'a' })),
    status: 400,
    field: 'projectId',
    message: 'must be at most 2147483647',
  },
  {
    name: 'create with a huge projectId',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: '99999999999999999999' }, json({ name: 'a' })),
    status: 400,
    field: 'projectId',
    message: 'must be at most 2147483647',
  },
  {
    name: 'create with a 400-digit projectId',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: '9'.repeat(400) }, json({ name: 'a' })),
    status: 400,
    field: 'projectId',
    message: 'must be at most 2147483647',
  },
  {
    name: 'create with projectId=1e3',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: '1e3' }, json({ name: 'a' })),
    status: 400,
    field: 'projectId',
    message: 'must be an integer',
  },
  {
    name: 'create with an empty projectId',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: '' }, json({ name: 'a' })),
    status: 400,
    field: 'projectId',
    message: 'must be an integer',
  },
  {
    name: 'create with projectId=" 1"',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: ' 1' }, json({ name: 'a' })),
    status: 400,
    field: 'projectId',
    message: 'must be an integer',
  },
  {
    name: 'update without id',
    method: 'PATCH',
    path: '/goods/update',
    options: q({ projectId: 1 }, json({ name: 'a' })),
    status: 400,
    field: 'id',
    message: 'is required',
  },
  {
    name: 'update without projectId',
    method: 'PATCH',
    path: '/goods/update',
    options: q({ id: 1 }, json({ name: 'a' })),
    status: 400,
    field: 'projectId',
    message: 'is required',
  },
  {
    name: 'update with id=0',
    method: 'PATCH',
    path: '/goods/update',
    options: q({ id: 0, projectId: 1 }, json({ name: 'a' })),
    status: 400,
    field: 'id',
    message: 'must be positive',
  },
  {
    name: 'update with id=-5',
    method: 'PATCH',
    path: '/goods/update',
    options: q({ id: -5, projectId: 1 }, json({ name: 'a' })),
    status: 400,
    field: 'id',
    message: 'must be positive',
  },
  {
    name: 'update with id=SQL',
    method: 'PATCH',
    path: '/goods/update',
    options: q({ id: '1 OR 1=1', projectId: 1 }, json({ name: 'a' })),
    status: 400,
    field: 'id',
    message: 'must be an integer',
  },
  { name: 'remove without parameters', method: 'DELETE', path: '/goods/remove', status: 400, field: 'id', message: 'is required' },
  {
    name: 'remove with id=-1',
    method: 'DELETE',
    path: '/goods/remove',
    options: q({ id: -1, projectId: 1 }),
    status: 400,
    field: 'id',
    message: 'must be positive',
  },
  {
    name: 'remove with id=null',
    method: 'DELETE',
    path: '/goods/remove',
    options: q({ id: 'null', projectId: 1 }),
    status: 400,
    field: 'id',
    message: 'must be an integer',
  },
  {
    name: 'remove with id=2^31',
    method: 'DELETE',
    path: '/goods/remove',
    options: q({ id: 2147483648, projectId: 1 }),
    status: 400,
    field: 'id',
    message: 'must be at most 2147483647',
  },
  {
    name: 'reprioritize without id',
    method: 'PATCH',
    path: '/goods/reprioritize',
    options: q({ projectId: 1 }, json({ newPriority: 1 })),
    status: 400,
    field: 'id',
  },
  {
    name: 'list with limit=0',
    method: 'GET',
    path: '/goods/list',
    options: q({ limit: 0 }),
    status: 400,
    field: 'limit',
    message: 'must be at least 1',
  },
  { name: 'list with limit=100000', method: 'GET', path: '/goods/list', options: q({ limit: 100000 }), status: 400, field: 'limit' },
  {
    name: 'list with limit=1001',
    method: 'GET',
    path: '/goods/list',
    options: q({ limit: 1001 }),
    status: 400,
    field: 'limit',
    message: 'must be at most 1000',
  },
  {
    name: 'list with limit=-1',
    method: 'GET',
    path: '/goods/list',
    options: q({ limit: -1 }),
    status: 400,
    field: 'limit',
    message: 'must be at least 1',
  },
  {
    name: 'list with limit=ten',
    method: 'GET',
    path: '/goods/list',
    options: q({ limit: 'ten' }),
    status: 400,
    field: 'limit',
    message: 'must be an integer',
  },
  {
    name: 'list with offset=-1',
    method: 'GET',
    path: '/goods/list',
    options: q({ offset: -1 }),
    status: 400,
    field: 'offset',
    message: 'must not be negative',
  },
  {
    name: 'list with offset=1.5',
    method: 'GET',
    path: '/goods/list',
    options: q({ offset: '1.5' }),
    status: 400,
    field: 'offset',
    message: 'must be an integer',
  },
  {
    name: 'list with offset=2^31',
    method: 'GET',
    path: '/goods/list',
    options: q({ offset: 2147483648 }),
    status: 400,
    field: 'offset',
    message: 'must be at most 2147483647',
  },
  // bodies
  {
    name: 'create with no body',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, { headers: { 'content-type': 'application/json' } }),
    status: 400,
    field: 'body',
    message: 'is not valid JSON',
  },
  {
    name: 'create with no body and no Content-Type',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }),
    status: 400,
    field: 'body',
    message: 'is not valid JSON',
  },
  {
    name: 'create with invalid JSON',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, { raw: '{"name": ', headers: { 'content-type': 'application/json' } }),
    status: 400,
    field: 'body',
    message: 'is not valid JSON',
  },
  {
    name: 'create with a JSON array',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json([{ name: 'a' }])),
    status: 400,
    field: 'body',
    message: 'must be a JSON object',
  },
  {
    name: 'create with JSON null',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json(null)),
    status: 400,
    field: 'body',
    message: 'must be a JSON object',
  },
  {
    name: 'create with a JSON string',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json('name')),
    status: 400,
    field: 'body',
    message: 'must be a JSON object',
  },
  {
    name: 'create with a form body',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, { raw: 'name=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    status: 400,
    field: 'body',
    message: 'is not valid JSON',
  },
  {
    name: 'create without name',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({})),
    status: 400,
    field: 'name',
    message: 'is required',
  },
  {
    name: 'create with an empty name',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({ name: '' })),
    status: 400,
    field: 'name',
  },
  {
    name: 'create with a whitespace name',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({ name: ' \t\n ' })),
    status: 400,
    field: 'name',
  },
  {
    name: 'create with a 256-character name',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({ name: 'x'.repeat(256) })),
    status: 400,
    field: 'name',
  },
  {
    name: 'create with 256 emoji',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({ name: '😀'.repeat(256) })),
    status: 400,
    field: 'name',
  },
  {
    name: 'create with a numeric name',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({ name: 42 })),
    status: 400,
    field: 'name',
  },
  {
    name: 'create with name=null',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({ name: null })),
    status: 400,
    field: 'name',
    message: 'is required',
  },
  {
    name: 'create with an object name',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({ name: { a: 1 } })),
    status: 400,
    field: 'name',
  },
  {
    name: 'create with a NUL in the name',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({ name: 'a\u0000b' })),
    status: 400,
    field: 'name',
  },
  {
    name: 'create with a lone surrogate',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, { raw: '{"name":"a\\ud800"}', headers: { 'content-type': 'application/json' } }),
    status: 400,
    field: 'name',
  },
  {
    name: 'create with a 1001-character description',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({ name: 'a', description: 'd'.repeat(1001) })),
    status: 400,
    field: 'description',
  },
  {
    name: 'create with a numeric description',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({ name: 'a', description: 5 })),
    status: 400,
    field: 'description',
  },
  {
    name: 'create with a 70 KiB body',
    method: 'POST',
    path: '/goods/create',
    options: q({ projectId: 1 }, json({ name: 'a', description: 'x'.repeat(70 * 1024) })),
    status: 413,
  },
  {
    name: 'update without name',
    method: 'PATCH',
    path: '/goods/update',
    options: q(good, json({ description: 'd' })),
    status: 400,
    field: 'name',
  },
  {
    name: 'update with name=null',
    method: 'PATCH',
    path: '/goods/update',
    options: q(good, json({ name: null, description: 'd' })),
    status: 400,
    field: 'name',
    message: 'is required',
  },
  {
    name: 'update with a 256-character name',
    method: 'PATCH',
    path: '/goods/update',
    options: q(good, json({ name: 'я'.repeat(256) })),
    status: 400,
    field: 'name',
  },
  {
    name: 'update with a 70 KiB body',
    method: 'PATCH',
    path: '/goods/update',
    options: q(good, { raw: 'x'.repeat(70 * 1024), headers: { 'content-type': 'application/json' } }),
    status: 413,
  },
  {
    name: 'reprioritize without newPriority',
    method: 'PATCH',
    path: '/goods/reprioritize',
    options: q(good, json({})),
    status: 400,
    field: 'newPriority',
    message: 'is required',
  },
  {
    name: 'reprioritize with newPriority=null',
    method: 'PATCH',
    path: '/goods/reprioritize',
    options: q(good, json({ newPriority: null })),
    status: 400,
    field: 'newPriority',
    message: 'is required',
  },
  {
    name: 'reprioritize with newPriority=0',
    method: 'PATCH',
    path: '/goods/reprioritize',
    options: q(good, json({ newPriority: 0 })),
    status: 400,
    field: 'newPriority',
  },
  {
    name: 'reprioritize with newPriority=-3',
    method: 'PATCH',
    path: '/goods/reprioritize',
    options: q(good, json({ newPriority: -3 })),
    status: 400,
    field: 'newPriority',
  },
  {
    name: 'reprioritize with newPriority=1.5',
    method: 'PATCH',
    path: '/goods/reprioritize',
    options: q(good, json({ newPriority: 1.5 })),
    status: 400,
    field: 'newPriority',
  },
  {
    name: 'reprioritize with newPriority="2"',
    method: 'PATCH',
    path: '/goods/reprioritize',
    options: q(good, json({ newPriority: '2' })),
    status: 400,
    field: 'newPriority',
  },
  {
    name: 'reprioritize with newPriority=true',
    method: 'PATCH',
    path: '/goods/reprioritize',
    options: q(good, json({ newPriority: true })),
    status: 400,
    field: 'newPriority',
  },
  {
    name: 'reprioritize with newPriority=2^31',
    method: 'PATCH',
    path: '/goods/reprioritize',
    options: q(good, json({ newPriority: 2 ** 31 })),
    status: 400,
    field: 'newPriority',
  },
  {
    name: 'reprioritize with newPriority=1e308',
    method: 'PATCH',
    path: '/goods/reprioritize',
    options: q(good, { raw: '{"newPriority": 1e308}', headers: { 'content-type': 'application/json' } }),
    status: 400,
    field: 'newPriority',
  },
];

let before: unknown[];

beforeAll(async () => {
  await resetState();
  const seeded = await api('POST', '/goods/create', { query: { projectId: 1 }, json: { name: 'seed', description: 'unchanged' } });
  expect(seeded.status).toBe(200);
  before = await goodsSnapshot();
});
afterAll(closeTestDb);

describe('bad input', () => {
  it('has at least 40 distinct cases', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('$name → $status', async ({ method, path, options, status, field, message }) => {
    const response = await api(method, path, options);
    expect(response.status).toBe(status);
    expect(Object.keys(response.body).sort()).toEqual(['code', 'details', 'message']);
    if (status === 400) {
      expect(response.body).toMatchObject({ code: 2, message: 'errors.request.invalid' });
      expect(Object.keys(response.body.details)).toContain(field);
      expect(typeof response.body.details[field!]).toBe('string');
      if (message) expect(response.body.details[field!]).toBe(message);
    }
    if (status === 413) expect(response.body).toEqual({ code: 7, message: 'errors.request.tooLarge', details: {} });
  });

  it('changed nothing in the database', async () => {
    expect(await goodsSnapshot()).toEqual(before);
  });
});

describe('hostile but valid input', () => {
  const names = [
    "'; DROP TABLE goods; --",
    'Robert"); DELETE FROM projects WHERE (1=1',
    '$1 $2 \\x00 %s %n',
    'Первая запись ✓ 😀 中文 עברית',
    '<script>alert(1)</script>',
    'x'.repeat(255),
    '😀'.repeat(255),
  ];

  it.each(names)('stores %j verbatim', async (name) => {
    const response = await api('POST', '/goods/create', { query: { projectId: 1 }, json: { name, description: name } });
    expect(response.status).toBe(200);
    expect(response.body.name).toBe(name);
    expect(response.body.description).toBe(name);
  });

  it('kept the tables intact', async () => {
    const list = await api('GET', '/goods/list', { query: { limit: 100 } });
    expect(list.body.meta.total).toBe(1 + names.length);
  });
});
