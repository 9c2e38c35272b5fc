import type { Log } from '../shared/log.ts';

/**
 * The Worker's bindings: vars from wrangler.toml, secrets from `wrangler secret put`
 * (locally from scripts/local.env through `wrangler dev --env-file`).
 */
export interface Env {
  /** postgres://user:password@host:port/db, reached over WebSocket. Secret. */
  DATABASE_URL: string;
  /** host:port of a plain-WebSocket Postgres proxy; unset on Neon. */
  PG_WS_PROXY?: string;
  UPSTASH_REDIS_REST_URL: string;
  /** Secret. */
  UPSTASH_REDIS_REST_TOKEN: string;
  /** ws(s)://host:port of NATS's WebSocket listener. */
  NATS_WS_URL: string;
  NATS_USER?: string;
  /** Secret. */
  NATS_PASSWORD?: string;
  /** Audit events go to `${NATS_SUBJECT}.${projectId}`. */
  NATS_SUBJECT: string;
  /** Prefix of the list cache's Redis keys. */
  CACHE_NAMESPACE: string;
  /** When set, writes need `Authorization: Bearer <API_TOKEN>`. Secret. */
  API_TOKEN?: string;
  /** Comma-separated allowed origins, or `*`. */
  CORS_ORIGINS?: string;
  CLICKHOUSE_URL?: string;
  CLICKHOUSE_USER?: string;
  /** Secret. */
  CLICKHOUSE_PASSWORD?: string;
  CLICKHOUSE_DATABASE?: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** This request's id, also its `x-request-id` header (http/request-id.ts). */
    requestId: string;
    /** Structured log lines that carry the request id. */
    log: Log;
  };
}
