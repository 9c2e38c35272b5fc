import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from './metrics.ts';
import type { PartitionView } from './partition-leases.ts';

export interface Prometheus {
  registry: Registry;
  /** Seconds each ClickHouse INSERT took. */
  insertSeconds: Histogram;
}

/** What the worker reads at scrape time besides its counters. */
export interface ScrapeSources {
  held(): number;
  /** Rows in goods_outbox (events not yet confirmed in goods_log) and the oldest one's age. */
  outboxBacklog(): Promise<{ rows: number; oldestSeconds: number }>;
  /** P and who holds each partition, as this worker last read the leases. */
  partitions(): PartitionView;
  /** Messages waiting in each partition this worker holds: not yet delivered, or not yet acked. */
  partitionMessages(): Promise<Array<{ partition: number; messages: number }>>;
  /** What the stream holds now: events published and not yet acknowledged. */
  stream(): Promise<{ messages: number; bytes: number }>;
}

const PREFIX = 'goods_ingest_';

/**
 * The worker's metrics in the Prometheus text format (GET /metrics). Counters are read from the
 * worker's own `Metrics` at scrape time, so there is one count of each thing.
 */
export function createPrometheus(metrics: Metrics, sources: ScrapeSources): Prometheus {
  const registry = new Registry();
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name: PREFIX + name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({
      name: PREFIX + name,
      help,
      registers: [registry],
      async collect() {
        this.set(await read());
      },
    });

  counter('events_received_total', 'Valid events taken from JetStream.', () => metrics.received);
  counter('events_inserted_total', 'Events written to goods_log.', () => metrics.eventsInserted);
  counter('duplicates_skipped_total', 'Events skipped as already in goods_log or repeated in a batch.', () => metrics.duplicatesSkipped);
  counter('malformed_total', 'Messages that were not a valid event (terminated).', () => metrics.malformed);
  counter('redelivered_total', 'Messages JetStream delivered more than once.', () => metrics.redelivered);
  counter('batches_total', 'Batches confirmed by ClickHouse and acknowledged.', () => metrics.batches);
  counter('inserts_total', 'INSERT statements ClickHouse accepted.', () => metrics.inserts);
  counter('insert_retries_total', 'Failed ClickHouse attempts that were retried.', () => metrics.retries);
  counter('relay_published_total', 'Outbox rows the relay published again.', () => metrics.relayPublished);
  counter(
    'relay_copies_total',
    'Relay publishes that stored a further copy of an event (its earlier copy left the stream unconfirmed).',
    () => metrics.relayCopies,
  );
  counter('relay_failed_total', 'Relay publishes that failed.', () => metrics.relayFailed);
  counter('outbox_deleted_total', 'Confirmed events deleted from goods_outbox.', () => metrics.outboxDeleted);
  counter('list_cache_bumps_total', "Bumps of the API's list cache generation by the backstop.", () => metrics.listCacheBumps);
  gauge('lag_seconds', 'From the oldest event time of the last batch to its confirmation.', () => metrics.lastLagMs / 1000);
  gauge('held_events', 'Events received and not yet acknowledged.', () => sources.held());
  gauge('outbox_backlog', 'Rows in goods_outbox not yet confirmed in goods_log.', async () => (await sources.outboxBacklog()).rows);
  gauge(
    'outbox_oldest_seconds',
    'Age of the oldest row in goods_outbox; 0 when it is empty.',
    async () => (await sources.outboxBacklog()).oldestSeconds,
  );
  gauge(
    'stream_messages',
    'Messages in the JetStream stream: published and not yet acknowledged.',
    async () => (await sources.stream()).messages,
  );
  gauge('stream_bytes', 'Bytes the JetStream stream holds (bounded by NATS_STREAM_MAX_BYTES).', async () => (await sources.stream()).bytes);
  gauge('partitions', 'P: the partitions of the event stream (INGEST_PARTITIONS).', () => sources.partitions().partitions);
  gauge('partitions_held', 'Partitions this worker consumes now.', () => sources.partitions().mine.length);
  new Gauge({
    name: `${PREFIX}partition_owner`,
    help: 'The worker holding each partition with a live lease (1 per partition).',
    labelNames: ['partition', 'worker'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [partition, worker] of Object.entries(sources.partitions().owners)) this.set({ partition, worker }, 1);
    },
  });
  new Gauge({
    name: `${PREFIX}partition_messages`,
    help: 'Messages in each partition this worker holds, not yet delivered or not yet acknowledged.',
    labelNames: ['partition'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { partition, messages } of await sources.partitionMessages()) this.set({ partition: String(partition) }, messages);
    },
  });
  const insertSeconds = new Histogram({
    name: `${PREFIX}insert_duration_seconds`,
    help: 'Seconds each ClickHouse INSERT took.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, insertSeconds };
}
