import { Redis } from '@upstash/redis/cloudflare';

const REQUEST_TIMEOUT_MS = 1_500;

/** A Redis client that fails fast: a slow or absent Redis must not hold up a request. */
export function createRedis(env: Env): Redis {
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: false,
    signal: () => AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}
