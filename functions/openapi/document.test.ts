import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { responseChecker } from '../../test/support/openapi.ts';
import { createApp } from '../app.ts';
import { routes } from '../routes.ts';
import { openApiDocument } from './document.ts';

const document = openApiDocument(routes) as {
  paths: Record<string, Record<string, { parameters: { name: string; required: boolean }[]; requestBody?: unknown; responses: object }>>;
};

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('has every route at every spelling, with its parameters, body and statuses', () => {
    for (const route of routes) {
      const query = route.query ? (z.toJSONSchema(route.query, { io: 'input' }) as { properties: object; required?: string[] }) : undefined;
      for (const path of route.paths) {
        const operation = document.paths[path]?.[route.method.toLowerCase()];
        expect(operation, `${route.method} ${path}`).toBeDefined();
        expect(operation!.parameters.map((p) => [p.name, p.required])).toEqual([
          ...Object.keys(query?.properties ?? {}).map((name) => [name, query?.required?.includes(name) ?? false]),
          ...(route.write ? [['Idempotency-Key', false]] : []),
        ]);
        expect(operation!.requestBody !== undefined).toBe(route.body !== undefined);
        expect(Object.keys(operation!.responses).map(Number).sort()).toEqual(
          [200, ...route.errors, 500, ...Object.keys(route.otherResponses ?? {}).map(Number)].sort(),
        );
      }
    }
  });

  it('declares every route the app serves: none can be served without its declaration', () => {
    const app = createApp(() => {
      throw new Error('no request is sent');
    });
    const served = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
    const declared = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(served).toEqual(new Set([...declared, 'GET /openapi.json']));
  });

  it('lets a checker tell a matching answer from one that is not', () => {
    const check = responseChecker(document);
    const good = { id: 1, projectId: 1, name: 'a', description: '', priority: 1, removed: false, createdAt: '2026-11-23T08:00:00.000Z' };
    expect(check('POST', '/good/create', 200, good)).toBeUndefined();
    expect(check('POST', '/goods/create', 200, { ...good, priority: '1' })).toMatch(/does not match/);
    expect(check('POST', '/goods/create', 404, { code: 3, message: 'errors.project.notFound', details: {} })).toBeUndefined();
    expect(check('POST', '/goods/create', 418, {})).toMatch(/does not declare/);
    expect(check('GET', '/nowhere', 404, {})).toBeUndefined();
  });
});
