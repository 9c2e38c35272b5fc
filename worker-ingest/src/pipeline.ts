import type { Log } from '../../shared/log.ts';
import { errorMessage } from '../../shared/log.ts';
import { Batcher } from './batcher.ts';
import { createBatchWriter, type PreparedBatch, type Received } from './batch-writer.ts';
import { findExistingEventIds, insertQueryId, insertRows, insertsEnded, knowsSetting } from './clickhouse.ts';
import type { IngestConfig } from './config.ts';
import type { Connections } from './connections.ts';
import { consumerStalled, replaceStalledConsumer } from './consumer-watchdog.ts';
import type { Metrics } from './metrics.ts';
import { startPulling } from './pull.ts';
import { startTicker } from './ticker.ts';
import { createWriteLock } from './write-lock.ts';

export interface PipelineDeps {
  metrics: Metrics;
  /** Times each INSERT (the Prometheus histogram). */
  timeInsert: () => () => void;
  /** The events of a batch are in goods_log and acknowledged. */
  confirmed(eventIds: readonly string[]): void;
  log: Log;
}

export interface Pipeline {
  heldCount(): number;
  /** Stops pulling, then writes and acks what is held, giving up after INGEST_SHUTDOWN_GRACE_MS. */
  stop(): Promise<void>;
}

/**
 * Pull → batch → write: messages from the durable consumer, gathered into batches, each written to
 * goods_log once (under the pipeline's write lock, after the existence check) and then acked.
 * A watchdog replaces a consumer that stopped delivering.
 */
export function startPipeline(conns: Connections, config: IngestConfig, deps: PipelineDeps): Pipeline {
  const { ch, js, jsm } = conns;
  const { metrics, log } = deps;
  const shutdown = new AbortController();
  let deduplicationToken: boolean | undefined;
  const requestTimeoutMs = config.clickhouse.requestTimeoutMs ?? 30_000;
  const writer = createBatchWriter({
    exclusive: createWriteLock(conns.pool, config.pipeline),
    findExisting: async (rows) => {
      // An INSERT whose client gave up may still commit: the check waits for it to end.
      await insertsEnded(ch, config.pipeline, 2 * requestTimeoutMs);
      return findExistingEventIds(ch, rows);
    },
    insert: async (rows) => {
      const done = deps.timeInsert();
      try {
        deduplicationToken ??= await knowsSetting(ch, 'insert_deduplication_token');
        await insertRows(ch, rows, insertQueryId(config.pipeline, rows), { deduplicationToken });
      } finally {
        done();
      }
    },
    confirmed: deps.confirmed,
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
    open: async () => (await js.consumers.get(config.stream, config.consumer)).consume({ max_messages: config.batchSize }),
    repair: conns.ensureTopology,
    batcher,
    metrics,
    log,
  });

  const watched = { stream: config.stream, consumer: config.consumer, ackWaitMs: config.ackWaitMs };
  const startedAt = Date.now();
  const watchdog = startTicker(
    'consumer_watchdog',
    config.ackWaitMs,
    async () => {
      // A consumer this worker has not had for two ack waits yet is not judged.
      if (Date.now() - startedAt < 2 * config.ackWaitMs) return;
      if (await consumerStalled(jsm, watched, batcher.heldCount())) {
        await replaceStalledConsumer(jsm, watched, conns.ensureTopology, log);
      }
    },
    log,
  );

  return {
    heldCount: () => batcher.heldCount(),
    stop: async () => {
      await watchdog.stop();
      const deadline = setTimeout(() => shutdown.abort(new Error('shutdown deadline reached')), config.shutdownGraceMs);
      await pulling.stop();
      await batcher.flush();
      clearTimeout(deadline);
    },
  };
}
