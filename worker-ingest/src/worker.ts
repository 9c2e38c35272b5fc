import { jetstreamManager } from '@nats-io/jetstream';
import { backoffDelay, retry, sleep } from './backoff.ts';
import { Batcher } from './batcher.ts';
import { createBatchWriter, type PreparedBatch, type Received } from './batch-writer.ts';
import {
  createClickHouse,
  findExistingEventIds,
  insertQueryId,
  insertRows,
  insertsEnded,
  knowsSetting,
  replicaCaughtUpWithin,
} from './clickhouse.ts';
import type { IngestConfig } from './config.ts';
import { startHttpServer, type HttpServer } from './http.ts';
import { startListCacheInvalidator, redisGenerationBump } from './list-cache-invalidator.ts';
import { createLog, errorMessage, type Log } from '../../shared/log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { consumerStalled, replaceStalledConsumer } from './consumer-watchdog.ts';
import { connectNats, ensureConsumer, ensureStream, streamSettingsOf, streamState, watchNats } from './nats.ts';
import { deleteOutboxEvents, drainOutbox, outboxBacklog, relayOutbox } from './outbox.ts';
import { createPrometheus } from './prometheus.ts';
import { createOutboxCleaner } from './outbox-cleaner.ts';
import { createNodePool } from '../../shared/node-postgres.ts';
import { startPulling } from './pull.ts';
import { createRelayPublisher } from './relay.ts';
import { startTicker } from './ticker.ts';
import { within } from './within.ts';
import { createWriteLock } from './write-lock.ts';
import { createReplicas, onReplica } from './replicas.ts';
import { urlsOf } from '../../shared/settings.ts';

/** How long one pull request lasts; its heartbeats come at half of it. */
const PULL_EXPIRES_MS = 5_000;

/** How long the check of a redelivered batch waits for its replica to fetch what others stored. */
const REPLICA_CATCH_UP_MS = 2_000;

export interface IngestWorker {
  metrics: Metrics;
  /** The port of GET /metrics and /healthz when INGEST_HTTP_PORT is set. */
  httpPort: number | undefined;
  /** Stops pulling, writes and acks what is held, closes every connection. */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  log?: Log;
  /** How long stop() keeps retrying ClickHouse for the held batch before leaving it unacked. */
  shutdownGraceMs?: number;
  relayEveryMs?: number;
}

export async function startIngestWorker(config: IngestConfig, options: WorkerOptions = {}): Promise<IngestWorker> {
  const log = options.log ?? createLog();
  const metrics = createMetrics();

  const nc = await connectNats(config.nats);
  const natsState = watchNats(nc, log);
  const jsm = await jetstreamManager(nc);
  const js = jsm.jetstream();
  const consumerSettings = {
    durable: config.consumer,
    subject: config.subject,
    ackWaitMs: config.ackWaitMs,
    // One batch being written, one prepared behind it, one filling.
    maxAckPending: 3 * config.batchSize,
  };
  const ensureTopology = async () => {
    await ensureStream(jsm, streamSettingsOf(config), log);
    await ensureConsumer(jsm, config.stream, consumerSettings);
  };
  await retry(ensureTopology, {
    onRetry: (error, attempt) => log('nats_setup_retry', { attempt, error: errorMessage(error) }),
  });

  // Every replica of CLICKHOUSE_URL; the writer uses one until it fails, then the next.
  const replicas = createReplicas(
    urlsOf(config.clickhouse.url).map((url) => createClickHouse({ ...config.clickhouse, url })),
    (from, to) => log('clickhouse_replica_changed', { from, to }),
  );
  let deduplicationToken: boolean | undefined;
  const pool = createNodePool(config.databaseUrl, config.pgWsProxy);

  const listCache = config.listCache
    ? startListCacheInvalidator(redisGenerationBump(config.listCache), options.relayEveryMs ?? 1000, log)
    : undefined;
  const cleaner = createOutboxCleaner(
    (ids) => deleteOutboxEvents(pool, ids),
    (count) => (metrics.outboxDeleted += count),
    log,
  );
  const prometheus = createPrometheus(metrics, {
    held: () => batcher.heldCount(),
    outboxBacklog: () => outboxBacklog(pool),
    stream: () => within(streamState(jsm, config.stream), 1_000, { messages: Number.NaN, bytes: Number.NaN }),
  });
  const shutdown = new AbortController();
  const writer = createBatchWriter({
    exclusive: createWriteLock(pool, config.pipeline),
    findExisting: (rows, redelivered) =>
      onReplica(replicas, async (ch) => {
        // An INSERT whose client gave up may still commit: the check waits for it to end.
        await insertsEnded(ch, config.pipeline, 2 * (config.clickhouse.requestTimeoutMs ?? 30_000));
        // A redelivered event may sit in a part another replica stored and this one has not
        // fetched yet: its check must not read a replica that lags (README, "Exactly once on
        // replicas"). A fresh batch needs no wait: a retry of it sends the same block, which the
        // replicated table stores once, whichever replica it reaches.
        if (redelivered) await replicaCaughtUpWithin(ch, REPLICA_CATCH_UP_MS);
        return findExistingEventIds(ch, rows);
      }),
    insert: (rows) =>
      onReplica(replicas, async (ch) => {
        const done = prometheus.insertSeconds.startTimer();
        try {
          deduplicationToken ??= await knowsSetting(ch, 'insert_deduplication_token');
          await insertRows(ch, rows, insertQueryId(config.pipeline, rows), { deduplicationToken });
        } finally {
          done();
        }
      }),
    confirmed: (ids) => {
      cleaner.add(ids);
      listCache?.markStale();
    },
    keepAlive: () => {
      for (const { msg } of batcher.held()) msg.working();
    },
    keepAliveEveryMs: Math.max(500, config.ackWaitMs / 3),
    signal: shutdown.signal,
    metrics,
    log,
  });
  const batcher = new Batcher<Received, PreparedBatch>({
    maxSize: config.batchSize,
    weight: (item) => item.events.length,
    maxMs: config.batchMs,
    prepare: (items) => writer.prepare(items),
    write: (items, prepared) => writer.write(items, prepared),
    onError: (error, items) => log('batch_left_unacked', { size: items.length, error: errorMessage(error) }),
  });

  const pulling = startPulling({
    // Pull requests that expire after a few seconds: on a NATS cluster a pull held by a node that
    // died, or by a consumer leader that lost its place, goes unanswered; the client notices by
    // the missed heartbeats (half the expiry) and pulls again, from whichever node it reaches.
    open: async () =>
      (await js.consumers.get(config.stream, config.consumer)).consume({ max_messages: config.batchSize, expires: PULL_EXPIRES_MS }),
    repair: ensureTopology,
    batcher,
    metrics,
    log,
  });

  let stopping = false;
  const relayPublisher = createRelayPublisher(
    config.subject,
    {
      publish: (subject, data, msgID) => js.publish(subject, data, { msgID, timeout: 5000 }),
      holds: async (seq, msgID) => (await jsm.streams.getMessage(config.stream, { seq }))?.header.get('Nats-Msg-Id') === msgID,
    },
    metrics,
    log,
  );
  const relayEveryMs = options.relayEveryMs ?? 1000;
  // While NATS is away or the stream stays full, passes that get nothing through come further
  // apart, up to 30 s; a pass that published anything keeps the pace.
  let idlePasses = 0;
  let relayNotBefore = 0;
  const relay = startTicker(
    'relay',
    relayEveryMs,
    async () => {
      if (Date.now() < relayNotBefore) return;
      const publishedBefore = metrics.relayPublished;
      const { failed } = await drainOutbox(
        () => relayOutbox(pool, { olderThanMs: config.relayAfterMs, againAfterMs: config.relayAgainAfterMs }, relayPublisher),
        () => !stopping,
      );
      idlePasses = failed > 0 && metrics.relayPublished === publishedBefore ? idlePasses + 1 : 0;
      relayNotBefore = idlePasses ? Date.now() + backoffDelay(idlePasses, relayEveryMs, 30_000) : 0;
    },
    log,
  );

  const watchdogSettings = { stream: config.stream, consumer: config.consumer, ackWaitMs: config.ackWaitMs };
  const startedAt = Date.now();
  const watchdog = startTicker(
    'consumer_watchdog',
    config.ackWaitMs,
    async () => {
      // A consumer this worker has not had for two ack waits yet is not judged.
      if (Date.now() - startedAt < 2 * config.ackWaitMs) return;
      if (await consumerStalled(jsm, watchdogSettings, batcher.heldCount())) {
        await replaceStalledConsumer(jsm, watchdogSettings, ensureTopology, log);
      }
    },
    log,
  );

  let http: HttpServer | undefined;
  if (config.httpPort) {
    http = await startHttpServer(config.httpPort, {
      metrics: () => ({ ...metrics, held: batcher.heldCount() }),
      prometheus: async () => ({ contentType: prometheus.registry.contentType, body: await prometheus.registry.metrics() }),
      // Up while running, even with NATS or ClickHouse away: the worker waits them out by itself.
      health: () => ({
        ok: !stopping && !nc.isClosed(),
        nats: natsState.connected() ? 'connected' : 'disconnected',
        held: batcher.heldCount(),
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

  let stopped: Promise<void> | undefined;
  const stop = async () => {
    stopping = true;
    await relay.stop();
    await watchdog.stop();
    await listCache?.stop();
    const deadline = setTimeout(() => shutdown.abort(new Error('shutdown deadline reached')), options.shutdownGraceMs ?? 8000);
    await pulling.stop();
    await batcher.flush();
    clearTimeout(deadline);
    await cleaner.drain();
    // Draining also delivers the acks still buffered in the client; with NATS down it would wait.
    await Promise.race([nc.drain(), sleep(5000)]).catch((error) => log('nats_drain_failed', { error: errorMessage(error) }));
    if (!nc.isClosed()) await nc.close();
    await Promise.allSettled([...replicas.all().map((ch) => ch.close()), pool.end(), http?.close()]);
    log('stopped', { ...metrics });
  };

  return {
    metrics,
    httpPort: http?.port,
    stop: () => (stopped ??= stop()),
  };
}
