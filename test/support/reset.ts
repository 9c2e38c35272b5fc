import { listCacheKeys } from '../../shared/cache-keys.ts';
import { resetGoods } from './db.ts';
import { testEnv } from './env.ts';
import { waitFor } from './wait.ts';

/** Runs one Redis command through the REST bridge the API uses. */
export async function redisCommand(command: (string | number)[]): Promise<unknown> {
  const response = await fetch(testEnv.UPSTASH_REDIS_REST_URL!, {
    method: 'POST',
    headers: { authorization: `Bearer ${testEnv.UPSTASH_REDIS_REST_TOKEN}` },
    body: JSON.stringify(command),
  });
  const body = (await response.json()) as { result?: unknown; error?: string };
  if (!response.ok) throw new Error(body.error ?? `redis ${response.status}`);
  return body.result;
}

export const cacheGenerationKey = listCacheKeys(testEnv.CACHE_NAMESPACE!).generation;

/**
 * A clean catalogue: no goods, empty outbox, and no cached list pages that could still be read.
 * Redis may have just been restarted (the model test does): the bridge answers once it is back.
 */
export async function resetState(): Promise<void> {
  await resetGoods();
  await waitFor('Redis to take the generation bump', () =>
    redisCommand(['INCR', cacheGenerationKey]).then(
      () => true,
      () => false,
    ),
  );
}
