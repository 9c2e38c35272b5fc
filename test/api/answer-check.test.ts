import { describe, expect, it } from 'vitest';
import { problemOf } from '../support/answer-check.ts';
import { API_URL } from '../support/env.ts';

// The check every answer of the suite passes through (test/setup/http-client.ts), shown to refuse
// answers the API must never give.
describe('the answer check', () => {
  const list = new URL('/goods/list', API_URL);

  it('passes an answer that matches the document', async () => {
    expect(await problemOf('GET', list, 400, '{"code":2,"message":"errors.invalid_query","details":{}}')).toBeUndefined();
  });

  it('refuses a body the document does not declare, and a status it does not list', async () => {
    expect(await problemOf('GET', list, 200, '{"items":"none"}')).toMatch(/does not match the document/);
    expect(await problemOf('GET', list, 418, '{}')).toMatch(/does not declare/);
  });

  it('refuses an error body that shows a stack frame, a source position or SQL', async () => {
    for (const leak of ['Error: boom\n    at listGoods (file:///x.js:1:2)', 'failed in list-goods.ts:12', 'SELECT * FROM goods']) {
      expect(await problemOf('GET', list, 500, JSON.stringify({ code: 1, message: leak, details: {} }))).toMatch(/leaks internals/);
    }
  });

  it('leaves other servers alone', async () => {
    expect(await problemOf('GET', new URL('http://127.0.0.1:9/goods/list'), 200, '{"items":"none"}')).toBeUndefined();
  });
});
