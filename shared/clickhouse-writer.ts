import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { parseSettings } from './settings.ts';

/** Where and as whom the ingest worker and the migrations write to ClickHouse. */
export interface ClickHouseTarget {
  /** One server, or the replicas, comma-separated (CLICKHOUSE_URL). */
  url: string;
  username: string;
  password: string;
  database: string;
  /** The cluster of replicas (CLICKHOUSE_CLUSTER); absent on one node and on ClickHouse Cloud. */
  cluster?: string | undefined;
}

/** The writer's target from the environment; throws naming each missing or bad variable (never `default`). */
export function clickHouseWriter(env: Record<string, string | undefined>): ClickHouseTarget {
  const s = parseSettings(env, ['CLICKHOUSE_URL', 'CLICKHOUSE_WRITER_USER', 'CLICKHOUSE_WRITER_PASSWORD', 'CLICKHOUSE_DATABASE']);
  return {
    url: s.CLICKHOUSE_URL,
    username: s.CLICKHOUSE_WRITER_USER,
    password: s.CLICKHOUSE_WRITER_PASSWORD,
    database: s.CLICKHOUSE_DATABASE,
    cluster: s.CLICKHOUSE_CLUSTER,
  };
}

/** The one way Node code (the ingest worker, the migrator, the tests) opens a ClickHouse client. */
export function createClickHouse(target: ClickHouseTarget & { requestTimeoutMs?: number }): ClickHouseClient {
  return createClient({
    url: target.url,
    username: target.username,
    password: target.password,
    database: target.database,
    request_timeout: target.requestTimeoutMs ?? 30_000,
    // Failures are retried and logged by the caller; the client's own logger would print each one again.
    log: { level: ClickHouseLogLevel.OFF },
  });
}
