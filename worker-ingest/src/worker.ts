import { createLog, type Log } from '../../shared/log.ts';
import { startBackgroundJobs } from './background-jobs.ts';
import type { IngestConfig } from './config.ts';
import { openConnections } from './connections.ts';
import { startHttpServer, type HttpServer } from './http.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { streamState } from './nats.ts';
import { outboxBacklog } from './outbox.ts';
import { startPipeline } from './pipeline.ts';
import { createPrometheus } from './prometheus.ts';
import { within } from './within.ts';

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
  const prometheus = createPrometheus(metrics, {
    held: () => pipeline.heldCount(),
    outboxBacklog: () => outboxBacklog(conns.pool),
    stream: () => within(streamState(conns.jsm, config.stream), 1_000, { messages: Number.NaN, bytes: Number.NaN }),
  });
  const jobs = startBackgroundJobs(conns, config, metrics, log);
  const pipeline = startPipeline(conns, config, {
    metrics,
    timeInsert: () => prometheus.insertSeconds.startTimer(),
    confirmed: jobs.confirmed,
    log,
  });

  let stopping = false;
  let http: HttpServer | undefined;
  if (config.httpPort) {
    http = await startHttpServer(config.httpPort, {
      metrics: () => ({ ...metrics, held: pipeline.heldCount() }),
      prometheus: async () => ({ contentType: prometheus.registry.contentType, body: await prometheus.registry.metrics() }),
      // Up while running, even with NATS or ClickHouse away: the worker waits them out by itself.
      health: () => ({
        ok: !stopping && !conns.nc.isClosed(),
        nats: conns.natsConnected() ? 'connected' : 'disconnected',
        held: pipeline.heldCount(),
      }),
    });
  }
  log('started', {
    stream: config.stream,
    consumer: config.consumer,
    batchSize: config.batchSize,
    batchMs: config.batchMs,
    httpPort: http?.port,
  });

  const stop = async () => {
    stopping = true;
    await jobs.stop();
    await pipeline.stop();
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
