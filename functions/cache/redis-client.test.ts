import { describe, expect, it } from 'vitest';
import { redisClient } from './redis-client.ts';

const env = (url: string, token = 'token') => ({ UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token }) as Env;

describe('redisClient', () => {
  it('builds one client per endpoint and token, and hands it to every request', () => {
    const first = redisClient(env('http://127.0.0.1:1'));
    expect(redisClient(env('http://127.0.0.1:1'))).toBe(first);
    expect(redisClient(env('http://127.0.0.1:2'))).not.toBe(first);
    expect(redisClient(env('http://127.0.0.1:1', 'other'))).not.toBe(first);
  });
});
