import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { errorResponse } from './error-response.ts';
import { createBody, goodQuery, listQuery, reprioritizeBody, updateBody } from './schemas.ts';
import { parseJsonBody, parseQuery } from './validate.ts';

// The validation rules at the handler level: a small app that parses as the handlers do and maps
// errors in the one place the API does, so each case is a real response in the contract's shape.
const app = new Hono();
app.post('/create', async (c) => c.json(await parseJsonBody(c, createBody)));
app.post('/update', async (c) => c.json(await parseJsonBody(c, updateBody)));
app.post('/reprioritize', async (c) => c.json(await parseJsonBody(c, reprioritizeBody)));
app.get('/good', (c) => c.json(parseQuery(c, goodQuery)));
app.get('/list', (c) => c.json(parseQuery(c, listQuery)));
app.onError(errorResponse);

const post = (path: string, body: string, headers: Record<string, string> = {}) => app.request(path, { method: 'POST', body, headers });

async function details(response: Response): Promise<Record<string, string>> {
  expect(response.status).toBe(400);
  const body = (await response.json()) as { code: number; message: string; details: Record<string, string> };
  expect(body.code).toBe(2);
  expect(body.message).toBe('errors.request.invalid');
  return body.details;
}

describe('request bodies', () => {
  it.each([
    ['no Content-Type', {}],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['the form type curl -d sends', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['application/json', { 'content-type': 'application/json' }],
  ])('are read as JSON with %s', async (_, headers) => {
    const response = await post('/create', '{"name":" kettle ","description":"1.7 l"}', headers);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'kettle', description: '1.7 l' });
  });

  it.each([
    ['a form body', 'name=kettle', 'is not valid JSON'],
    ['invalid JSON', '{"name": ', 'is not valid JSON'],
    ['nothing', '', 'is not valid JSON'],
    ['an array', '[{"name":"a"}]', 'must be a JSON object'],
    ['JSON null', 'null', 'must be a JSON object'],
    ['a string', '"a"', 'must be a JSON object'],
  ])('that are not a JSON object get 400: %s', async (_, body, why) => {
    expect(await details(await post('/create', body))).toEqual({ body: why });
  });

  it('treat a null field as absent', async () => {
    expect(await (await post('/create', '{"name":"a","description":null}')).json()).toEqual({ name: 'a', description: '' });
    expect(await (await post('/update', '{"name":"a","description":null}')).json()).toEqual({ name: 'a' });
    expect(await details(await post('/create', '{"name":null}'))).toEqual({ name: 'is required' });
    expect(await details(await post('/update', '{"name":null,"description":"d"}'))).toEqual({ name: 'is required' });
    expect(await details(await post('/reprioritize', '{"newPriority":null}'))).toEqual({ newPriority: 'is required' });
  });

  it('name the field and the rule it broke', async () => {
    expect(await details(await post('/create', '{}'))).toEqual({ name: 'is required' });
    expect(await details(await post('/create', '{"name":5}'))).toEqual({ name: 'must be a string' });
    expect(await details(await post('/create', '{"name":"   "}'))).toEqual({ name: 'must not be empty' });
    expect(await details(await post('/create', '{"name":"a","description":5}'))).toEqual({ description: 'must be a string' });
    expect(await details(await post('/create', '{"name":"a\\u0000"}'))).toEqual({ name: 'must be valid text without NUL characters' });
    expect(await details(await post('/reprioritize', '{"newPriority":"2"}'))).toEqual({ newPriority: 'must be an integer' });
    expect(await details(await post('/reprioritize', '{"newPriority":0}'))).toEqual({ newPriority: 'must be at least 1' });
  });
});

describe('query parameters', () => {
  it.each([
    ['', { id: 'is required', projectId: 'is required' }],
    ['?id=abc&projectId=1', { id: 'must be an integer' }],
    ['?id=1.5&projectId=1', { id: 'must be an integer' }],
    ['?id=1e3&projectId=1', { id: 'must be an integer' }],
    ['?id=&projectId=1', { id: 'must be an integer' }],
    ['?id=%201&projectId=1', { id: 'must be an integer' }],
    ['?id=-1&projectId=1', { id: 'must be positive' }],
    ['?id=0&projectId=1', { id: 'must be positive' }],
    ['?id=1&projectId=2147483648', { projectId: 'must be at most 2147483647' }],
    ['?id=99999999999999999999&projectId=1', { id: 'must be at most 2147483647' }],
    ['?id=%2B1&projectId=1', { id: 'must be an integer' }],
    ['?id=+1&projectId=1', { id: 'must be an integer' }],
    ['?id=0x10&projectId=1', { id: 'must be an integer' }],
    ['?id=-1&projectId=abc', { id: 'must be positive', projectId: 'must be an integer' }],
  ])('id and projectId %s', async (query, expected) => {
    expect(await details(await app.request(`/good${query}`))).toEqual(expected);
  });

  it('id and projectId at the edges of their range', async () => {
    expect(await (await app.request('/good?id=1&projectId=2147483647')).json()).toEqual({ id: 1, projectId: 2147483647 });
    expect(await (await app.request('/good?id=007&projectId=1')).json()).toEqual({ id: 7, projectId: 1 });
  });

  it.each([
    ['?limit=0', { limit: 'must be at least 1' }],
    ['?limit=-1', { limit: 'must be at least 1' }],
    ['?limit=1001', { limit: 'must be at most 1000' }],
    ['?limit=ten', { limit: 'must be an integer' }],
    ['?offset=-1', { offset: 'must not be negative' }],
    ['?offset=1.5', { offset: 'must be an integer' }],
    ['?offset=2147483648', { offset: 'must be at most 2147483647' }],
    ['?offset=', { offset: 'must be an integer' }],
  ])('limit and offset %s', async (query, expected) => {
    expect(await details(await app.request(`/list${query}`))).toEqual(expected);
  });

  it('read digits past any Number (Infinity) as out of range, not malformed', async () => {
    const digits = '9'.repeat(400);
    expect(await details(await app.request(`/good?id=1&projectId=${digits}`))).toEqual({ projectId: 'must be at most 2147483647' });
    expect(await details(await app.request(`/good?id=-${digits}&projectId=1`))).toEqual({ id: 'must be positive' });
    expect(await details(await app.request(`/list?limit=${digits}`))).toEqual({ limit: 'must be at most 1000' });
    expect(await details(await app.request(`/list?offset=-${digits}`))).toEqual({ offset: 'must not be negative' });
  });

  it('limit and offset default to 10 and 1, and offset 0 reads as 1', async () => {
    expect(await (await app.request('/list')).json()).toEqual({ limit: 10, offset: 1 });
    expect(await (await app.request('/list?limit=1000&offset=0')).json()).toEqual({ limit: 1000, offset: 1 });
  });
});
