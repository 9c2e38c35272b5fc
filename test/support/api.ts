import { expect } from 'vitest';
import { API_URL, testEnv } from './env.ts';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  query?: Record<string, string | number>;
  /** Sent as JSON unless `raw` is given. */
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** Another instance of the API (default: the suite's). */
  base?: string;
}

/** The Request `api` sends, also for handing straight to the app in handler-level tests. */
export function apiRequest(method: string, path: string, options: RequestOptions = {}): Request {
  const url = new URL(path, options.base ?? API_URL);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, String(value));
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  return new Request(url, { method, headers, body });
}

/** Reads a response the way every test looks at it: status, headers, text and parsed JSON. */
export async function readResponse<T = any>(response: Response): Promise<ApiResponse<T>> {
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export async function api<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  return readResponse<T>(await fetch(apiRequest(method, path, options)));
}

export const createGood = (projectId: number, json: unknown) => api('POST', '/goods/create', { query: { projectId }, json });
/** A create a client may send again: under the Idempotency-Key `key` it runs once. */
export const createGoodKeyed = (projectId: number, json: unknown, key: string) =>
  api('POST', '/goods/create', { query: { projectId }, json, headers: { 'Idempotency-Key': key } });
export const updateGood = (id: number, projectId: number, json: unknown) =>
  api('PATCH', '/goods/update', { query: { id, projectId }, json });
export const removeGood = (id: number, projectId: number) => api('DELETE', '/goods/remove', { query: { id, projectId } });
export const reprioritize = (id: number, projectId: number, newPriority: unknown) =>
  api('PATCH', '/goods/reprioritize', { query: { id, projectId }, json: { newPriority } });
export const listGoods = (query: Record<string, string | number> = {}) => api('GET', '/goods/list', { query });

/** Counters of the local bridges the API runs through (Postgres frames, Redis requests). */
export async function bridgeStats(): Promise<{ postgres: any; redis: any }> {
  const [postgres, redis] = await Promise.all([
    fetch(`http://127.0.0.1:${testEnv.PG_WS_BRIDGE_PORT}/stats`).then((r) => r.json()),
    fetch(`http://127.0.0.1:${testEnv.REDIS_REST_PORT}/stats`).then((r) => r.json()),
  ]);
  return { postgres, redis };
}

export async function resetBridgeStats(): Promise<void> {
  await Promise.all([
    fetch(`http://127.0.0.1:${testEnv.PG_WS_BRIDGE_PORT}/stats/reset`, { method: 'POST' }),
    fetch(`http://127.0.0.1:${testEnv.REDIS_REST_PORT}/stats/reset`, { method: 'POST' }),
  ]);
}

/** The contract's answer to a request that failed on the server's side; a write so answered changed nothing. */
export const INTERNAL_ERROR = { code: 1, message: 'errors.internal', details: {} };

/**
 * Sends writes 0 .. count-1 at once, then sends again each one answered 5xx, as the contract lets a
 * client do, for up to `rounds` more rounds. `send(i)` must send write i with the same
 * Idempotency-Key every time, so that a retry cannot double it. On a busy machine some writes of
 * a burst meet their deadline queued behind the others; each such 5xx must be the clean one.
 * Returns each write's last answer.
 */
export async function sendAllUntilAnswered<T = any>(
  count: number,
  send: (i: number) => Promise<ApiResponse<T>>,
  rounds = 3,
): Promise<ApiResponse<T>[]> {
  const answers = await Promise.all(Array.from({ length: count }, (_, i) => send(i)));
  for (let round = 0; round < rounds; round++) {
    const failed = answers.flatMap((answer, i) => (answer.status >= 500 ? [i] : []));
    if (failed.length === 0) break;
    for (const i of failed) expect(answers[i]!.body, `write ${i} answered ${answers[i]!.status}`).toEqual(INTERNAL_ERROR);
    const retried = await Promise.all(failed.map((i) => send(i)));
    for (const [k, i] of failed.entries()) answers[i] = retried[k]!;
  }
  return answers;
}
