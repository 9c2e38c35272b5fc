import { createLog, type Log } from '../../shared/log.ts';
import { startBackgroundJobs } from './background-jobs.ts';
import type { IngestConfig } from './config.ts';
import { openConnections } from './connections.ts';
import { startHttpServer, type HttpServer } from './http.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { streamState } from './nats.ts';
import { outboxBacklog } from './outbox.ts';
import { startPartitionLeases } from './partition-leases.ts';
import { type Pipeline, partitionConsumer, startPipeline } from './pipeline.ts';
import { createPrometheus } from './prometheus.ts';
import { within } from './within.ts';
import { createWriteLock } from './write-lock.ts';

/** A partition's lease lasts this long unless renewed: a dead worker's partitions are taken over after it. */
export const LEASE_TTL_MS = 5_000;

/** How often a worker renews its leases and looks for partitions to take or give. */
export const LEASE_EVERY_MS = 1_000;

export interface IngestWorker {
  metrics: Metrics;
  /** The port of GET /metrics and /healthz when INGEST_HTTP_PORT is set. */
  httpPort: number | undefined;
  /** Stops pulling, writes and acks what is held, closes every connection. */
  stop(): Promise<void>;
}

/** The ingest worker: its connections, the pipeline, the background jobs and the HTTP endpoints, wired. */
export async function startIngestWorker(config: IngestConfig, log: Log = createLog()): Promise<IngestWorker> {
  const metrics = createMetrics();
  const conns = await openConnections(config, log);
  const pipelines = new Map<number, Pipeline>();
  const heldCount = () => [...pipelines.values()].reduce((sum, p) => sum + p.heldCount(), 0);
  const prometheus = createPrometheus(metrics, {
    held: heldCount,
    partitions: () => leases.view(),
    partitionMessages: () =>
      Promise.all(
        leases.view().mine.map(async (partition) => {
          const info = await within(
            conns.jsm.consumers.info(config.stream, partitionConsumer(config.consumer, partition)),
            1_000,
            undefined,
          );
          return { partition, messages: info ? info.num_pending + info.num_ack_pending : Number.NaN };
        }),
      ),
    outboxBacklog: () => outboxBacklog(conns.pool),
    stream: () => within(streamState(conns.jsm, config.stream), 1_000, { messages: Number.NaN, bytes: Number.NaN }),
  });
  const jobs = startBackgroundJobs(conns, config, metrics, log);
  const pipelineDeps = {
    writeLock: createWriteLock(conns.pool, config.pipeline),
    metrics,
    timeInsert: () => prometheus.insertSeconds.startTimer(),
    confirmed: jobs.confirmed,
    log,
  };
  const leases = await startPartitionLeases({
    pool: conns.pool,
    scope: { group: `${config.stream}/${config.consumer}`, worker: config.workerId, ttlMs: LEASE_TTL_MS },
    partitions: config.partitions,
    everyMs: LEASE_EVERY_MS,
    start: (partition) => pipelines.set(partition, startPipeline(conns, config, partition, pipelineDeps)),
    stop: async (partition) => {
      const pipeline = pipelines.get(partition);
      pipelines.delete(partition);
      await pipeline?.stop();
    },
    log,
  });

  let stopping = false;
  let http: HttpServer | undefined;
  if (config.httpPort) {
    http = await startHttpServer(config.httpPort, {
      metrics: () => ({ ...metrics, held: heldCount(), partitions: leases.view() }),
      prometheus: async () => ({ contentType: prometheus.registry.contentType, body: await prometheus.registry.metrics() }),
      // Up while running, even with NATS or ClickHouse away: the worker waits them out by itself.
      health: () => ({
        ok: !stopping && !conns.nc.isClosed(),
        nats: conns.natsConnected() ? 'connected' : 'disconnected',
        held: heldCount(),
      }),
    });
  }
  log('started', {
    stream: config.stream,
    consumer: config.consumer,
    worker: config.workerId,
    partitions: config.partitions,
    batchSize: config.batchSize,
    batchMs: config.batchMs,
    httpPort: http?.port,
  });

  const stop = async () => {
    stopping = true;
    await jobs.stop();
    await leases.stop();
    await jobs.drain();
    await conns.close();
    await http?.close();
    log('stopped', { ...metrics });
  };
  let stopped: Promise<void> | undefined;
  return {
    metrics,
    httpPort: http?.port,
    stop: () => (stopped ??= stop()),
  };
}
