import type { MiddlewareHandler } from 'hono';
import { sha256 } from 'hono/utils/crypto';
import type { AppEnv } from '../env.ts';
import { ApiError } from './api-error.ts';
import { idempotencyKeyHeader } from './schemas.ts';

export const IDEMPOTENCY_KEY = 'Idempotency-Key';
/** Set on an answer that a request with the same key got before. */
export const IDEMPOTENT_REPLAYED = 'Idempotent-Replayed';

/**
 * A write's `Idempotency-Key`, validated, with a digest of what makes its request the same
 * request: method, path, query (in any order) and body.
 */
export const idempotencyKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const sent = c.req.header(IDEMPOTENCY_KEY);
  if (sent !== undefined) {
    const checked = idempotencyKeyHeader.safeParse(sent);
    if (!checked.success) throw ApiError.invalidRequest({ [IDEMPOTENCY_KEY]: checked.error.issues[0]!.message });
    const url = new URL(c.req.url);
    url.searchParams.sort();
    const request = await sha256(`${c.req.method} ${url.pathname}?${url.searchParams}\n${await c.req.text()}`);
    if (!request) throw new Error('no SHA-256 in this runtime');
    c.set('idempotencyKey', { key: checked.data, request });
  }
  await next();
};
