import { Redis } from '@upstash/redis/cloudflare';
import { upstashConfig } from '../../shared/upstash.ts';

const clients = new Map<string, Redis>();

/**
 * A Redis client that fails fast: a slow or absent Redis must not hold up a request. One per
 * isolate and endpoint, shared by its requests: the client holds no connection (each command is
 * a fetch of the calling request), and building one creates a function for every Redis command,
 * which cost more CPU than the invalidation itself.
 */
export function redisClient(env: Env): Redis {
  const key = `${env.UPSTASH_REDIS_REST_URL}\n${env.UPSTASH_REDIS_REST_TOKEN}`;
  let client = clients.get(key);
  if (!client) {
    client = new Redis(upstashConfig(env.UPSTASH_REDIS_REST_URL, env.UPSTASH_REDIS_REST_TOKEN));
    clients.set(key, client);
  }
  return client;
}
