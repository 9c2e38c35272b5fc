import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { createLog } from '../../shared/log.ts';

const HEADER = 'x-request-id';
/** What a caller may pass as its own id: short, and nothing a log line or header could choke on. */
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Not hono/request-id: that one sets the header before the handler runs, so an answer a handler
 * builds as its own Response (a cached list page, a streamed reprioritize) would go without it.
 *
 * Every response carries `x-request-id`: the caller's own, when it sent an acceptable one, or a
 * new UUID. Each request gets a log whose lines carry the same id, in `c.var.log`.
 */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const given = c.req.header(HEADER);
  const id = given && ACCEPTED.test(given) ? given : crypto.randomUUID();
  c.set('requestId', id);
  c.set('log', createLog({ requestId: id }));
  await next();
  c.res.headers.set(HEADER, id);
};
