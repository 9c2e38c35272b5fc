import { z } from 'zod';
import { ErrorBodySchema } from '../http/api-error.ts';
import { IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED } from '../http/idempotency-key.ts';
import { idempotencyKeyHeader } from '../http/schemas.ts';
import type { Route } from '../http/define-route.ts';

// The OpenAPI 3.1 document, generated from the routes table and the same zod schemas that
// validate requests and type the answers: no schema is written twice.

type JsonSchema = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'A query parameter or body field is missing, of the wrong type or out of range, or the body is not a JSON object; `details` names each field and the rule it broke',
  401: 'An API token is configured and the request lacks it',
  404: 'No such good, or project: for writes a live good of the project; for the history any good of the project, removed or not',
  409: 'A request with the same Idempotency-Key is still running',
  413: 'The body is over 64 KiB',
  422: 'The Idempotency-Key was first sent with another method, path, query or body',
  500: 'Anything else; never for input a client can send',
  503: 'The audit log (ClickHouse) cannot be read now; writes are not affected',
};

/** A schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), named schemas by reference. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `${COMPONENTS}${id}` };
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function idempotencyKeyParameter(): JsonSchema {
  const { description, ...schema } = jsonSchema(idempotencyKeyHeader, 'input');
  return { name: IDEMPOTENCY_KEY, in: 'header', required: false, description, schema };
}

function parameters(query: z.ZodObject | undefined): JsonSchema[] {
  if (!query) return [];
  const schema = z.toJSONSchema(query, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    // An integer parameter arrives as a string; its digits-only pattern says nothing more.
    const { description, pattern: _, ...rest } = property;
    return { name, in: 'query', required: schema.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest };
  });
}

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

function operation(route: Route, path: string): JsonSchema {
  const alias = path !== route.paths[0];
  const replayed = {
    [IDEMPOTENT_REPLAYED]: {
      description: 'true when this is the stored answer of an earlier request with the same Idempotency-Key',
      schema: { const: 'true' },
    },
  };
  const responses: Record<string, JsonSchema> = {
    200: { description: 'OK', ...(route.write ? { headers: replayed } : {}), content: json(jsonSchema(route.response, 'output')) },
  };
  for (const [status, { description, schema }] of Object.entries(route.otherResponses ?? {})) {
    responses[status] = { description, content: json(jsonSchema(schema, 'output')) };
  }
  for (const status of [...route.errors, 500]) {
    responses[status] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: json(jsonSchema(ErrorBodySchema, 'output')) };
  }
  return {
    operationId: alias ? `${route.operationId}_${path.replaceAll(/[^A-Za-z0-9]+/g, '_')}` : route.operationId,
    summary: alias ? `${route.summary} (the original service's spelling of ${route.paths[0]})` : route.summary,
    tags: [route.paths[0]!.startsWith('/goods') ? 'goods' : 'service'],
    ...(alias ? { deprecated: true } : {}),
    parameters: [...parameters(route.query), ...(route.write ? [idempotencyKeyParameter()] : [])],
    ...(route.body ? { requestBody: { required: true, content: json(jsonSchema(route.body, 'input')) } } : {}),
    // Writes need the bearer token when the API has one configured; reads never do.
    security: route.write ? [{}, { bearer: [] }] : [],
    responses,
  };
}

/** The OpenAPI document of `routes`. */
export function openApiDocument(routes: readonly Route[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    for (const path of route.paths) paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route, path) };
  }
  const named = z.toJSONSchema(z.globalRegistry, { io: 'output', unrepresentable: 'any', uri: (id) => `${COMPONENTS}${id}` }) as {
    schemas: Record<string, JsonSchema>;
  };
  const schemas = Object.fromEntries(Object.entries(named.schemas).map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'goods-edge',
      version: '1.0.0',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      description:
        'The goods catalogue API. Bodies are read as JSON whatever their Content-Type; a field sent as null counts as absent. Every error has the body {code, message, details} (the Error schema): 400 code 2, 401 code 4, 404 code 3 (a good or project) or 5 (an unknown path), 405 code 6 (a known path with another method, with an Allow header), 409 code 9, 413 code 7, 422 code 10, 500 code 1, 503 code 8. A write answered with anything but 2xx changed nothing; writes take an optional Idempotency-Key that makes retries safe.',
    },
    // The API is served where this document is: the docs page's "Try it out" calls the same origin.
    servers: [{ url: '/', description: 'this deployment' }],
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Writes need it when the API has a token configured.' } },
    },
  };
}
