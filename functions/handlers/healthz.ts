import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { type Check, clickhouseCheck, natsCheck, postgresCheck, redisCheck, runCheck } from '../health/checks.ts';
import { redisClient } from '../cache/redis-client.ts';

/** The API cannot serve without these; ClickHouse only receives the audit log later, so it is reported, not required. */
const REQUIRED = ['postgres', 'redis', 'nats'] as const;

export async function healthzHandler(c: Context<AppEnv>): Promise<Response> {
  const checks: Record<string, Check> = {
    postgres: postgresCheck(c),
    redis: redisCheck(redisClient(c.env)),
    nats: natsCheck(c.env),
    clickhouse: clickhouseCheck(c.env),
  };
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => runCheck(checks[name]!)));
  const dependencies = Object.fromEntries(
    names.map((name, i) => [name, { ...results[i]!, required: (REQUIRED as readonly string[]).includes(name) }]),
  );
  const healthy = REQUIRED.every((name) => dependencies[name]?.status === 'up');
  return c.json({ status: healthy ? 'ok' : 'unavailable', dependencies }, healthy ? 200 : 503);
}
