// The floors `npm run bench:api` measures the API against: a bare Worker doing only the I/O a
// request cannot avoid, through the same clients and the same path as the API.
//   GET /write-floor            one Postgres connection and `SELECT 1`, then one Upstash INCR (a write's floor)
//   GET /published-write-floor  the same, then what every write adds after its answer: the audit
//                               publish to JetStream (goods/finish-write.ts), with one event
//   GET /cached-floor           one Upstash GET (a cached list's floor)
import { natsTarget, publishEvents } from '../../functions/audit/publish-events.ts';
import { ListCache } from '../../functions/cache/list-cache.ts';
import { redisClient } from '../../functions/cache/redis-client.ts';
import { createWorkerClient } from '../../functions/db/worker-client.ts';
import { finishWrite } from '../../functions/goods/finish-write.ts';
import type { AuditMessage } from '../../shared/event.ts';
import { createLog } from '../../shared/log.ts';

async function selectOne(env: Env, ctx: ExecutionContext): Promise<void> {
  const client = createWorkerClient(env);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    ctx.waitUntil(client.end());
  }
}

async function writeFloor(env: Env, ctx: ExecutionContext): Promise<Response> {
  await selectOne(env, ctx);
  await redisClient(env).incr(`${env.CACHE_NAMESPACE}:floor`);
  return Response.json({ ok: true });
}

/** An event the size of a create's, for a good that does not exist. */
function floorEvent() {
  return {
    eventId: crypto.randomUUID(),
    id: 1,
    projectId: 1,
    name: 'floor',
    description: '',
    priority: 1,
    removed: false,
    eventTime: new Date().toISOString(),
    kind: 'create' as const,
  };
}

async function publishedWriteFloor(env: Env, ctx: ExecutionContext): Promise<Response> {
  await selectOne(env, ctx);
  const nats = natsTarget(env);
  const deps = {
    listCache: new ListCache(redisClient(env), env.CACHE_NAMESPACE),
    publish: (events: readonly AuditMessage[]) => publishEvents(nats, events),
    defer: (work: Promise<unknown>) => ctx.waitUntil(work),
    log: createLog(),
  };
  // As a create's: one block of positions, and the counts.
  await finishWrite(deps, { events: [floorEvent()], list: { first: 1, last: 1, version: 0, total: 0, removed: 0 } });
  return Response.json({ ok: true });
}

async function cachedFloor(env: Env): Promise<Response> {
  const page = await redisClient(env).get<string>(`${env.CACHE_NAMESPACE}:floor-page`);
  return new Response(page ?? '{}', { headers: { 'content-type': 'application/json; charset=utf-8' } });
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> | Response {
    const { pathname } = new URL(request.url);
    if (pathname === '/write-floor') return writeFloor(env, ctx);
    if (pathname === '/published-write-floor') return publishedWriteFloor(env, ctx);
    if (pathname === '/cached-floor') return cachedFloor(env);
    return new Response('not found', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
