import { hostname } from 'node:os';
import { DEFAULT_PARTITIONS } from '../../shared/partitions.ts';
import { checkSettings } from '../../shared/settings.ts';
import type { NatsServer } from './nats-identity.ts';
import { natsServer } from './nats-settings.ts';

const REQUIRED = [
  'NATS_URL',
  'NATS_STREAM',
  'NATS_SUBJECT',
  'CLICKHOUSE_URL',
  'CLICKHOUSE_WRITER_USER',
  'CLICKHOUSE_WRITER_PASSWORD',
  'CLICKHOUSE_DATABASE',
  'DATABASE_URL',
] as const;

/**
 * Events per batch unless INGEST_BATCH_SIZE says otherwise. At low rates a batch closes by time
 * (INGEST_BATCH_MS) long before it is full; at high rates fewer, larger INSERTs cost less, to the
 * worker and to ClickHouse, per event.
 */
export const DEFAULT_BATCH_SIZE = 5000;

/**
 * How long a batch may wait for more events, unless INGEST_BATCH_MS says otherwise: the floor of
 * the lag from a write to its row in goods_log when events trickle in (at 10,000 events/s
 * across two workers a batch closes by time, not size).
 */
export const DEFAULT_BATCH_MS = 250;

/** A gibibyte: room for about a million waiting events (or 3,000 reprioritize parts of 100 goods). */
export const DEFAULT_STREAM_MAX_BYTES = 1024 ** 3;

/** Repeats of one event (the edge's publish and the relay's) within it are dropped by the stream. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60_000;

/** How long NATS waits for a delivered message's ack before it delivers it again, unless INGEST_ACK_WAIT_MS says otherwise. */
export const DEFAULT_ACK_WAIT_MS = 30_000;

/** How old an outbox row not yet in goods_log must be before the relay publishes it, unless RELAY_AFTER_MS says otherwise. */
export const DEFAULT_RELAY_AFTER_MS = 3000;

/** How long the relay leaves a row it published before it looks at it again, unless RELAY_AGAIN_AFTER_MS says otherwise. */
export const DEFAULT_RELAY_AGAIN_AFTER_MS = 30_000;

/** How often the relay looks at the outbox unless RELAY_EVERY_MS says otherwise. */
export const DEFAULT_RELAY_EVERY_MS = 1000;

/** How long a stopping worker retries ClickHouse for its held batch, unless INGEST_SHUTDOWN_GRACE_MS says otherwise. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 8000;

export interface IngestConfig {
  nats: NatsServer;
  stream: string;
  subject: string;
  streamMaxBytes: number;
  duplicateWindowMs: number;
  /** Copies of the stream a NATS cluster keeps (NATS_STREAM_REPLICAS; 1 on one server). */
  streamReplicas?: number | undefined;
  clickhouse: { url: string; username: string; password: string; database: string; requestTimeoutMs?: number };
  /** INGEST_PARTITIONS: the partitions of the stream, each with its own consumer `<consumer>-<p>`. */
  partitions: number;
  /** Names this worker in the partition leases. */
  workerId: string;
  /** Names the pipeline: its write lock and the query ids of its INSERTs. Workers of one goods_log share it. */
  pipeline: string;
  databaseUrl: string;
  pgWsProxy: string | undefined;
  batchSize: number;
  batchMs: number;
  consumer: string;
  ackWaitMs: number;
  relayAfterMs: number;
  relayAgainAfterMs: number;
  /** How often the relay looks at the outbox, and the list cache backstop retries. */
  relayEveryMs: number;
  /** How long stop() keeps retrying ClickHouse for the held batch before leaving it unacked. */
  shutdownGraceMs: number;
  httpPort: number;
  /** Absent when UPSTASH_REDIS_REST_URL is not set. */
  listCache?: { url: string; token: string; namespace: string } | undefined;
}

/** Reads the worker's settings from the environment; throws one error naming every bad or missing variable. */
export function loadConfig(env: Record<string, string | undefined>): IngestConfig {
  const { settings: e, problems } = checkSettings(env, REQUIRED);
  const nats = natsServer(env);
  if ('problems' in nats) problems.push(...nats.problems);
  if (problems.length > 0 || 'problems' in nats) {
    throw new Error(`invalid ingest worker configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return {
    nats,
    stream: e.NATS_STREAM,
    subject: e.NATS_SUBJECT,
    streamMaxBytes: e.NATS_STREAM_MAX_BYTES ?? DEFAULT_STREAM_MAX_BYTES,
    duplicateWindowMs: e.NATS_DUPLICATE_WINDOW_MS ?? DEFAULT_DUPLICATE_WINDOW_MS,
    streamReplicas: e.NATS_STREAM_REPLICAS ?? 1,
    clickhouse: {
      url: e.CLICKHOUSE_URL,
      username: e.CLICKHOUSE_WRITER_USER,
      password: e.CLICKHOUSE_WRITER_PASSWORD,
      database: e.CLICKHOUSE_DATABASE,
      requestTimeoutMs: e.CLICKHOUSE_REQUEST_TIMEOUT_MS ?? 30_000,
    },
    partitions: e.INGEST_PARTITIONS ?? DEFAULT_PARTITIONS,
    workerId: e.INGEST_WORKER_ID ?? `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}`,
    pipeline: e.INGEST_PIPELINE ?? 'goods',
    databaseUrl: e.DATABASE_URL,
    pgWsProxy: e.PG_WS_PROXY,
    batchSize: e.INGEST_BATCH_SIZE ?? DEFAULT_BATCH_SIZE,
    batchMs: e.INGEST_BATCH_MS ?? DEFAULT_BATCH_MS,
    consumer: e.INGEST_CONSUMER ?? 'goods-ingest',
    ackWaitMs: e.INGEST_ACK_WAIT_MS ?? DEFAULT_ACK_WAIT_MS,
    relayAfterMs: e.RELAY_AFTER_MS ?? DEFAULT_RELAY_AFTER_MS,
    relayAgainAfterMs: e.RELAY_AGAIN_AFTER_MS ?? DEFAULT_RELAY_AGAIN_AFTER_MS,
    relayEveryMs: e.RELAY_EVERY_MS ?? DEFAULT_RELAY_EVERY_MS,
    shutdownGraceMs: e.INGEST_SHUTDOWN_GRACE_MS ?? DEFAULT_SHUTDOWN_GRACE_MS,
    httpPort: e.INGEST_HTTP_PORT ?? 0,
    listCache: e.UPSTASH_REDIS_REST_URL
      ? { url: e.UPSTASH_REDIS_REST_URL, token: e.UPSTASH_REDIS_REST_TOKEN ?? '', namespace: e.CACHE_NAMESPACE ?? 'goods' }
      : undefined,
  };
}
