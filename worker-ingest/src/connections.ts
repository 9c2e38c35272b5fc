import { type JetStreamClient, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Pool } from '@neondatabase/serverless';
import { createClickHouse } from '../../shared/clickhouse-writer.ts';
import { errorMessage, type Log } from '../../shared/log.ts';
import { createNodePool } from '../../shared/node-postgres.ts';
import { urlsOf } from '../../shared/settings.ts';
import { retry, sleep } from './backoff.ts';
import type { IngestConfig } from './config.ts';
import { connectNats, ensureStream, retireUnpartitioned, streamSettingsOf, watchNats } from './nats.ts';
import { createReplicas, type Replicas } from './replicas.ts';

/** Draining also delivers the acks still buffered in the client; with NATS down it would wait forever. */
const NATS_DRAIN_MS = 5_000;

/** Everything the worker talks to, opened once: NATS (with its stream), ClickHouse, Postgres. */
export interface Connections {
  nc: NatsConnection;
  jsm: JetStreamManager;
  js: JetStreamClient;
  /** Every replica of CLICKHOUSE_URL: the worker writes through one until it fails, then the next. */
  replicas: Replicas<ClickHouseClient>;
  pool: Pool;
  natsConnected(): boolean;
  /** Creates or updates the stream; also repairs it when it vanishes. (Each partition's pipeline adds its consumer.) */
  ensureStream(): Promise<void>;
  close(): Promise<void>;
}

export async function openConnections(config: IngestConfig, log: Log): Promise<Connections> {
  const nc = await connectNats(config.nats);
  const natsState = watchNats(nc, log);
  const jsm = await jetstreamManager(nc);
  const stream = streamSettingsOf(config);
  const ensureTopology = async () => {
    await ensureStream(jsm, stream, log);
    await retireUnpartitioned(jsm, stream, config.consumer, log);
  };
  await retry(ensureTopology, {
    onRetry: (error, attempt) => log('nats_setup_retry', { attempt, error: errorMessage(error) }),
  });
  const replicas = createReplicas(
    urlsOf(config.clickhouse.url).map((url) => createClickHouse({ ...config.clickhouse, url })),
    (from, to) => log('clickhouse_replica_changed', { from, to }),
  );
  const pool = createNodePool(config.databaseUrl, config.pgWsProxy);
  return {
    nc,
    jsm,
    js: jsm.jetstream(),
    replicas,
    pool,
    natsConnected: () => natsState.connected(),
    ensureStream: () => ensureStream(jsm, stream, log),
    close: async () => {
      await Promise.race([nc.drain(), sleep(NATS_DRAIN_MS)]).catch((error) => log('nats_drain_failed', { error: errorMessage(error) }));
      if (!nc.isClosed()) await nc.close();
      await Promise.allSettled([...replicas.all().map((ch) => ch.close()), pool.end()]);
    },
  };
}
