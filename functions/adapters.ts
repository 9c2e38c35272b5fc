import { clickHouseAuditLog } from './audit/clickhouse-audit-log.ts';
import { natsTarget, publishEvents } from './audit/publish-events.ts';
import { ListCache } from './cache/list-cache.ts';
import { redisClient } from './cache/redis-client.ts';
import { withDatabase } from './db/with-database.ts';
import type { AdapterFactory } from './http/adapters.ts';

/** The deployed Worker's adapters: Postgres over WebSocket, Upstash Redis, NATS over WebSocket, ClickHouse over HTTP. */
export const workerAdapters: AdapterFactory = (c) => {
  const env = c.env;
  const defer = (work: Promise<unknown>) => c.executionCtx.waitUntil(work);
  const nats = natsTarget(env);
  return {
    db: (work, options) => withDatabase({ env, log: c.var.log, defer }, work, options?.deadlineMs),
    listCache: new ListCache(redisClient(env), env.CACHE_NAMESPACE),
    publish: (events) => publishEvents(nats, events),
    defer,
    auditLog: clickHouseAuditLog({
      url: env.CLICKHOUSE_URL,
      username: env.CLICKHOUSE_USER || 'default',
      password: env.CLICKHOUSE_PASSWORD ?? '',
      database: env.CLICKHOUSE_DATABASE,
    }),
  };
};
