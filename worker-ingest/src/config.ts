import { z } from 'zod';

/** Unset and empty variables both mean "use the default" (local.env writes `CLICKHOUSE_PASSWORD=`). */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const int = (min: number, fallback: number) => optional(z.coerce.number().int().min(min)).default(fallback);

const EnvSchema = z.object({
  NATS_URL: z.string().regex(/^(nats|tls):\/\/[^\s,]+(,(nats|tls):\/\/[^\s,]+)*$/, 'expected nats://host:port[,nats://...]'),
  NATS_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only'),
  NATS_SUBJECT: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dot-separated tokens without wildcards'),
  CLICKHOUSE_URL: z.url({ protocol: /^https?$/ }),
  CLICKHOUSE_USER: optional(z.string()).default('default'),
  CLICKHOUSE_PASSWORD: optional(z.string()).default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a plain identifier'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected postgres://...'),
  PG_WS_PROXY: optional(z.string()),
  INGEST_BATCH_SIZE: int(1, 1000),
  INGEST_BATCH_MS: int(1, 1000),
  INGEST_CONSUMER: optional(z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')).default('goods-ingest'),
  /** How long JetStream waits for an ack before redelivering; a held batch is kept alive with working(). */
  INGEST_ACK_WAIT_MS: int(1000, 30_000),
  RELAY_AFTER_MS: int(0, 3000),
  INGEST_HTTP_PORT: optional(z.coerce.number().int().min(0).max(65535)).default(0),
  /** The API's list cache; when set, the worker invalidates it after storing events. */
  UPSTASH_REDIS_REST_URL: optional(z.url({ protocol: /^https?$/ })),
  UPSTASH_REDIS_REST_TOKEN: optional(z.string()),
  CACHE_NAMESPACE: optional(z.string()).default('goods'),
});

export interface IngestConfig {
  natsUrl: string[];
  stream: string;
  subject: string;
  clickhouse: { url: string; username: string; password: string; database: string };
  databaseUrl: string;
  pgWsProxy: string | undefined;
  batchSize: number;
  batchMs: number;
  consumer: string;
  ackWaitMs: number;
  relayAfterMs: number;
  httpPort: number;
  /** Absent when UPSTASH_REDIS_REST_URL is not set. */
  listCache?: { url: string; token: string; namespace: string } | undefined;
}

/** Reads the worker's settings; throws one error naming every bad or missing variable. */
export function loadConfig(env: Record<string, string | undefined>): IngestConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid ingest worker configuration:\n${problems}`);
  }
  const e = parsed.data;
  return {
    natsUrl: e.NATS_URL.split(','),
    stream: e.NATS_STREAM,
    subject: e.NATS_SUBJECT,
    clickhouse: {
      url: e.CLICKHOUSE_URL,
      username: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
      database: e.CLICKHOUSE_DATABASE,
    },
    databaseUrl: e.DATABASE_URL,
    pgWsProxy: e.PG_WS_PROXY,
    batchSize: e.INGEST_BATCH_SIZE,
    batchMs: e.INGEST_BATCH_MS,
    consumer: e.INGEST_CONSUMER,
    ackWaitMs: e.INGEST_ACK_WAIT_MS,
    relayAfterMs: e.RELAY_AFTER_MS,
    httpPort: e.INGEST_HTTP_PORT,
    listCache: e.UPSTASH_REDIS_REST_URL
      ? { url: e.UPSTASH_REDIS_REST_URL, token: e.UPSTASH_REDIS_REST_TOKEN ?? '', namespace: e.CACHE_NAMESPACE }
      : undefined,
  };
}
