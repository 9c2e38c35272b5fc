import type { Log } from '../../shared/log.ts';
import { errorMessage } from '../../shared/log.ts';
import { Batcher } from './batcher.ts';
import { createBatchWriter, type PreparedBatch, type Received } from './batch-writer.ts';
import { findExistingEventIds, insertQueryId, insertRows, insertsEnded, knowsSetting, replicaCaughtUpWithin } from './clickhouse.ts';
import { onReplica } from './replicas.ts';
import type { IngestConfig } from './config.ts';
import type { Connections } from './connections.ts';
import { consumerStalled, replaceStalledConsumer } from './consumer-watchdog.ts';
import type { Metrics } from './metrics.ts';
import { ensureConsumer } from './nats.ts';
import { partitionSubjects } from '../../shared/partitions.ts';
import { startPulling } from './pull.ts';
import { startTicker } from './ticker.ts';
import type { WriteLock } from './write-lock.ts';

/** How long one pull request lasts; its heartbeats come at half of it. */
const PULL_EXPIRES_MS = 5_000;

/** How long the check of a redelivered batch waits for its replica to fetch what others stored. */
const REPLICA_CATCH_UP_MS = 2_000;

export interface PipelineDeps {
  /** The write lock every worker of the pipeline shares. */
  writeLock: WriteLock;
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

/** The durable consumer of a partition. */
export const partitionConsumer = (consumer: string, partition: number) => `${consumer}-${partition}`;

/**
 * Pull → batch → write for one partition: messages from its durable consumer, gathered into
 * batches, each written to goods_log once (under the write lock of its slots, after the
 * existence check) and then acked. A watchdog replaces a consumer that stopped delivering.
 */
export function startPipeline(conns: Connections, config: IngestConfig, partition: number, deps: PipelineDeps): Pipeline {
  const { replicas, js, jsm } = conns;
  const { metrics } = deps;
  const log: Log = (msg, fields) => deps.log(msg, { partition, ...fields });
  const consumer = partitionConsumer(config.consumer, partition);
  const ensureTopology = async () => {
    await conns.ensureStream();
    await ensureConsumer(jsm, config.stream, {
      durable: consumer,
      filter: partitionSubjects(config.subject, partition),
      ackWaitMs: config.ackWaitMs,
      // One batch being written, one prepared behind it, one filling.
      maxAckPending: 3 * config.batchSize,
    });
  };
  const shutdown = new AbortController();
  let deduplicationToken: boolean | undefined;
  const requestTimeoutMs = config.clickhouse.requestTimeoutMs ?? 30_000;
  const writer = createBatchWriter({
    exclusive: deps.writeLock,
    findExisting: (rows, { redelivered, slots }) =>
      onReplica(replicas, async (ch) => {
        // An INSERT whose client gave up may still commit: the check waits for it to end.
        await insertsEnded(ch, config.pipeline, slots, 2 * requestTimeoutMs);
        // A redelivered event may sit in a part another replica stored and this one has not
        // fetched yet: its check must not read a replica that lags (README, "Exactly once on
        // replicas"). A fresh batch needs no wait: a retry of it sends the same block, which the
        // replicated table stores once, whichever replica it reaches.
        if (redelivered) await replicaCaughtUpWithin(ch, REPLICA_CATCH_UP_MS);
        return findExistingEventIds(ch, rows);
      }),
    insert: (rows, slots) =>
      onReplica(replicas, async (ch) => {
        const done = deps.timeInsert();
        try {
          deduplicationToken ??= await knowsSetting(ch, 'insert_deduplication_token');
          await insertRows(ch, rows, insertQueryId(config.pipeline, rows, slots), { deduplicationToken });
        } finally {
          done();
        }
      }),
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
    // Pull requests that expire after a few seconds: on a NATS cluster a pull held by a node that
    // died, or by a consumer leader that lost its place, goes unanswered; the client notices by
    // the missed heartbeats (half the expiry) and pulls again, from whichever node it reaches.
    open: async () => {
      // A partition this worker just took may have no consumer yet.
      await ensureTopology();
      return (await js.consumers.get(config.stream, consumer)).consume({ max_messages: config.batchSize, expires: PULL_EXPIRES_MS });
    },
    repair: ensureTopology,
    batcher,
    metrics,
    log,
  });

  const watched = { stream: config.stream, consumer, ackWaitMs: config.ackWaitMs };
  const startedAt = Date.now();
  const watchdog = startTicker(
    'consumer_watchdog',
    config.ackWaitMs,
    async () => {
      // A consumer this worker has not had for two ack waits yet is not judged.
      if (Date.now() - startedAt < 2 * config.ackWaitMs) return;
      if (await consumerStalled(jsm, watched, batcher.heldCount())) {
        await replaceStalledConsumer(jsm, watched, ensureTopology, log);
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
