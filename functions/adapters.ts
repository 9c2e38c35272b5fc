import { clickHouseAuditLog, clickHouseSettings, pingClickHouse } from './audit/clickhouse-audit-log.ts';
import { natsTarget, pingNats, publishEvents } from './audit/publish-events.ts';
import { ListCache } from './cache/list-cache.ts';
import { redisClient } from './cache/redis-client.ts';
import { withDatabase } from './db/with-database.ts';
import type { Adapters } from './env.ts';
import { probe } from './health/checks.ts';
import type { AdapterFactory } from './http/adapters.ts';

/** The deployed Worker's adapters: Postgres over WebSocket, Upstash Redis, NATS over WebSocket, ClickHouse over HTTP. */
export const workerAdapters: AdapterFactory = (c) => {
  const env = c.env;
  const defer = (work: Promise<unknown>) => c.executionCtx.waitUntil(work);
  const db: Adapters['db'] = (work, options) => withDatabase({ env, log: c.var.log, defer }, work, options?.deadlineMs);
  const redis = redisClient(env);
  const nats = natsTarget(env);
  const clickhouse = clickHouseSettings(env);
  return {
    db,
    listCache: new ListCache(redis, env.CACHE_NAMESPACE),
    publish: (events) => publishEvents(nats, events),
    defer,
    auditLog: clickHouseAuditLog(clickhouse),
    health: {
      // The same connection path as every request, retries and deadline included.
      postgres: probe([env.DATABASE_URL, env.PG_WS_PROXY], () => db((q) => q.query('SELECT 1'))),
      redis: probe([env.UPSTASH_REDIS_REST_URL, env.UPSTASH_REDIS_REST_TOKEN], () => redis.ping()),
      nats: probe([nats.url, nats.user, nats.pass], () => pingNats(nats)),
      clickhouse: probe(Object.values(clickhouse), () => pingClickHouse(clickhouse)),
    },
  };
};
