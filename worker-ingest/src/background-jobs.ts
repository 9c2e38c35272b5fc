import type { Log } from '../../shared/log.ts';
import { backoffDelay } from './backoff.ts';
import type { IngestConfig } from './config.ts';
import type { Connections } from './connections.ts';
import { type ListCacheBackstop, redisListCacheBackstop, startListCacheInvalidator } from './list-cache-invalidator.ts';
import type { Metrics } from './metrics.ts';
import { deleteOutboxEvents, drainOutbox, relayOutbox } from './outbox.ts';
import { createOutboxCleaner } from './outbox-cleaner.ts';
import { createRelayPublisher } from './relay.ts';
import { startTicker } from './ticker.ts';
import { eventSubject } from '../../shared/partitions.ts';

/** While NATS is away or the stream stays full, relay passes that get nothing through come at most this far apart. */
const RELAY_MAX_BACKOFF_MS = 30_000;

/** The jobs beside the pipeline: the outbox relay and cleaner, and the list cache's backstop invalidation. */
export interface BackgroundJobs {
  /** These events are in goods_log: their outbox rows may go, and the cached list pages with them. */
  confirmed(eventIds: readonly string[]): void;
  /** Stops the relay and the invalidator; the cleaner keeps taking confirmations until drained. */
  stop(): Promise<void>;
  /** Deletes the confirmed outbox rows still waiting. */
  drain(): Promise<void>;
}

export function startBackgroundJobs(conns: Connections, config: IngestConfig, metrics: Metrics, log: Log): BackgroundJobs {
  const listCache = config.listCache
    ? startListCacheInvalidator(counted(redisListCacheBackstop(config.listCache), metrics), config.relayEveryMs, log)
    : undefined;
  const cleaner = createOutboxCleaner(
    (ids) => deleteOutboxEvents(conns.pool, ids),
    (count) => (metrics.outboxDeleted += count),
    log,
  );
  const relay = startRelay(conns, config, metrics, log);
  return {
    confirmed: (ids) => {
      cleaner.add(ids);
      listCache?.stored(ids);
    },
    stop: async () => {
      await relay.stop();
      await listCache?.stop();
    },
    drain: () => cleaner.drain(),
  };
}

function counted(backstop: ListCacheBackstop, metrics: Metrics): ListCacheBackstop {
  return {
    ...backstop,
    bumpGeneration: async () => {
      await backstop.bumpGeneration();
      metrics.listCacheBumps++;
    },
  };
}

/** Publishes outbox rows that have not reached goods_log in time, backing off while nothing gets through. */
function startRelay(conns: Connections, config: IngestConfig, metrics: Metrics, log: Log) {
  const { js, jsm, pool } = conns;
  let stopping = false;
  const publisher = createRelayPublisher(
    (projectId) => eventSubject(config.subject, projectId, config.partitions),
    {
      publish: (subject, data, msgID) => js.publish(subject, data, { msgID, timeout: 5000 }),
      holds: async (seq, msgID) => (await jsm.streams.getMessage(config.stream, { seq }))?.header.get('Nats-Msg-Id') === msgID,
    },
    metrics,
    log,
  );
  let idlePasses = 0;
  let notBefore = 0;
  const ticker = startTicker(
    'relay',
    config.relayEveryMs,
    async () => {
      if (Date.now() < notBefore) return;
      const publishedBefore = metrics.relayPublished;
      const { failed } = await drainOutbox(
        () => relayOutbox(pool, { olderThanMs: config.relayAfterMs, againAfterMs: config.relayAgainAfterMs }, publisher),
        () => !stopping,
      );
      idlePasses = failed > 0 && metrics.relayPublished === publishedBefore ? idlePasses + 1 : 0;
      notBefore = idlePasses ? Date.now() + backoffDelay(idlePasses, config.relayEveryMs, RELAY_MAX_BACKOFF_MS) : 0;
    },
    log,
  );
  return {
    stop: () => {
      stopping = true;
      return ticker.stop();
    },
  };
}
