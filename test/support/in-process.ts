// The app in-process, with fake adapters, for handler-level tests: every answer is also checked
// against the OpenAPI document.
import { expect } from 'vitest';
import { createApp } from '../../functions/app.ts';
import { openApiDocument } from '../../functions/openapi/document.ts';
import { routes } from '../../functions/routes.ts';
import { type ApiResponse, apiRequest, type RequestOptions, readResponse } from './api.ts';
import type { Fakes } from './fake-adapters.ts';
import { responseChecker } from './openapi.ts';

const check = responseChecker(openApiDocument(routes));

/** Sends one request to a fresh app on `fakes`; `env` are the Worker's bindings. */
export async function sendInProcess(
  fakes: Fakes,
  method: string,
  path: string,
  options: RequestOptions = {},
  env: Partial<Env> = {},
): Promise<ApiResponse<any>> {
  const app = createApp(fakes.adapters);
  const response = await readResponse(await app.fetch(apiRequest(method, path, { ...options, base: 'http://edge.test' }), env));
  expect(check(method, path, response.status, response.body)).toBeUndefined();
  return response;
}
