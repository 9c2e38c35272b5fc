// The floors `npm run bench:api` measures the API against: a bare Worker doing only the I/O a
// request cannot avoid, through the same clients and the same path as the API.
//   GET /write-floor   one Postgres connection and `SELECT 1`, then one Upstash INCR (a write's floor)
//   GET /cached-floor  one Upstash GET (a cached list's floor)
import { redisClient } from '../../functions/cache/redis-client.ts';
import { createWorkerClient } from '../../functions/db/worker-client.ts';

async function writeFloor(env: Env, ctx: ExecutionContext): Promise<Response> {
  const client = createWorkerClient(env);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    ctx.waitUntil(client.end());
  }
  await redisClient(env).incr(`${env.CACHE_NAMESPACE}:floor`);
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
    if (pathname === '/cached-floor') return cachedFloor(env);
    return new Response('not found', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
