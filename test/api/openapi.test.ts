import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/openapi/document.ts';
import { routes } from '../../functions/routes.ts';
import { api } from '../support/api.ts';

// Every answer any test gets, through `api()` or a raw fetch, is checked against the served
// document (test/support/answer-check.ts); this checks the document itself is served.
describe('GET /openapi.json', () => {
  it('serves the document generated from the routes, as JSON', async () => {
    const response = await api('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual(openApiDocument(routes));
  });

  it('is GET only', async () => {
    const response = await api('POST', '/openapi.json');
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'GET']);
  });
});
