// Test set-up against the real services of scripts/services.sh, isolated from dev data:
// ClickHouse database goods_test, Postgres database goods_test (through a private WebSocket bridge),
// and a JetStream stream + subject unique to each test file.
import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Pool } from '@neondatabase/serverless';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { join } from 'node:path';
import { bridgeProcesses } from '../../../scripts/lib/bridge-processes.ts';
import { type Child, freePort, spawnChild, waitForHttp } from '../../../scripts/lib/processes.ts';
import { applyClickHouseMigrations } from '../../../shared/migrate/clickhouse.ts';
import { clickHouseWriter } from '../../../shared/clickhouse-writer.ts';
import { ROOT, testEnv, testNatsServer, testSubject } from '../env.ts';
import { deleteFromJetStream } from '../jetstream-delete.ts';
import { INSERT_LOG, prepareInsertLog } from '../exactly-once.ts';
import { applyPostgresMigrations } from '../../../shared/migrate/postgres.ts';
import { createClickHouse } from '../../../shared/clickhouse-writer.ts';
import {
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_BATCH_MS,
  DEFAULT_BATCH_SIZE,
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_RELAY_AFTER_MS,
  DEFAULT_RELAY_AGAIN_AFTER_MS,
  DEFAULT_RELAY_EVERY_MS,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_STREAM_MAX_BYTES,
  type IngestConfig,
} from '../../../worker-ingest/src/config.ts';
import type { GoodEvent } from '../../../shared/event.ts';
import { DEFAULT_PARTITIONS, eventSubject } from '../../../shared/partitions.ts';
import { partitionConsumer } from '../../../worker-ingest/src/pipeline.ts';
import { connectNats, ensureStream, streamSettingsOf } from '../../../worker-ingest/src/nats.ts';
import { createLog } from '../../../shared/log.ts';
import type { NatsServer } from '../../../worker-ingest/src/nats-identity.ts';
import { createNodePool } from '../../../shared/node-postgres.ts';

const env = (name: string): string => testEnv[name] ?? '';

export const TEST_CLICKHOUSE_DATABASE = env('CLICKHOUSE_DATABASE');

/** The suite's DATABASE_URL (pooled, for the worker) or DIRECT_URL (for migrations). */
export function testDatabaseUrl(name: 'DATABASE_URL' | 'DIRECT_URL' = 'DATABASE_URL'): string {
  return env(name);
}

export interface Backends {
  config: IngestConfig;
  nc: NatsConnection;
  jsm: JetStreamManager;
  ch: ClickHouseClient;
  pool: Pool;
  /** The process of the private Postgres bridge. */
  bridgePid: number;
  close(): Promise<void>;
}

/**
 * Migrates goods_test in ClickHouse and Postgres, starts a private Postgres bridge and returns a
 * worker configuration with a stream, subject and consumer of its own (deleted by close()).
 */
export function testClickHouseTarget(): IngestConfig['clickhouse'] {
  return clickHouseWriter(testEnv);
}

/** Migrates goods_test in ClickHouse, sets up the insert log and returns a client for goods_test. */
export async function prepareTestClickHouse(): Promise<ClickHouseClient> {
  await applyClickHouseMigrations(testClickHouseTarget(), `${ROOT}migrations/clickhouse`);
  const ch = createClickHouse(testClickHouseTarget());
  await prepareInsertLog();
  return ch;
}

export async function setUpBackends(overrides: Partial<IngestConfig> = {}): Promise<Backends> {
  const tag = randomUUID().slice(0, 8);
  const ch = await prepareTestClickHouse();

  // A process of its own: the test or benchmark process is busy publishing and polling, and its
  // event loop must not stand between the worker and Postgres.
  const bridges = bridgeProcesses(ROOT, testEnv, `${ROOT}.data/logs/test`);
  const bridge = await bridges.start('worker-tests-pg-ws-bridge', 'pg-ws-bridge.ts', 'PG_WS_BRIDGE_PORT');
  const pgWsProxy = `127.0.0.1:${bridge.port}`;
  const migrator = createNodePool(testDatabaseUrl('DIRECT_URL'), pgWsProxy);
  try {
    await applyPostgresMigrations(migrator, `${ROOT}migrations/postgres`);
  } finally {
    await migrator.end();
  }
  const pool = createNodePool(testDatabaseUrl(), pgWsProxy);

  const config: IngestConfig = {
    nats: testNatsServer(),
    stream: `GOODS_TEST_${tag}`,
    subject: testSubject(`w${tag}`),
    partitions: DEFAULT_PARTITIONS,
    workerId: `test-${tag}`,
    streamMaxBytes: DEFAULT_STREAM_MAX_BYTES,
    duplicateWindowMs: DEFAULT_DUPLICATE_WINDOW_MS,
    clickhouse: testClickHouseTarget(),
    pipeline: env('INGEST_PIPELINE'),
    databaseUrl: testDatabaseUrl(),
    pgWsProxy,
    batchSize: 1000,
    batchMs: 200,
    consumer: 'goods-ingest-test',
    ackWaitMs: 5000,
    // A day: the relay leaves alone the outbox rows of other suites sharing goods_test (seconds
    // old); a test that wants rows relayed back-dates them.
    relayAfterMs: 86_400_000,
    relayAgainAfterMs: 30_000,
    relayEveryMs: DEFAULT_RELAY_EVERY_MS,
    shutdownGraceMs: DEFAULT_SHUTDOWN_GRACE_MS,
    httpPort: 0,
    ...overrides,
  };
  const nc = await connectNats(config.nats, 'goods-ingest-tests');
  const jsm = await jetstreamManager(nc);
  return {
    config,
    nc,
    jsm,
    ch,
    pool,
    bridgePid: bridge.pid,
    async close() {
      await deleteFromJetStream('the test stream', () => jsm.streams.delete(config.stream), { mayBeAbsent: true });
      await nc.close();
      await ch.close();
      await pool.end();
      await bridges.stopAll();
    },
  };
}

/** Runs `run` on fresh backends (setUpBackends) with their stream created, and closes them after. */
export async function withBackends(overrides: Partial<IngestConfig>, run: (b: Backends) => Promise<void>): Promise<void> {
  const b = await setUpBackends(overrides);
  try {
    await ensureStream(b.jsm, streamSettingsOf(b.config), createLog());
    await run(b);
  } finally {
    await b.close();
  }
}

/**
 * A worker's configuration with the production defaults, for the benches that run the worker as
 * deployed: only where it reads and writes, its name and its port are theirs.
 */
export function deployedWorkerConfig(
  where: Pick<IngestConfig, 'stream' | 'subject' | 'clickhouse' | 'pipeline' | 'databaseUrl' | 'pgWsProxy' | 'consumer' | 'httpPort'> &
    Partial<Pick<IngestConfig, 'partitions'>>,
): IngestConfig {
  return {
    nats: testNatsServer(),
    batchSize: DEFAULT_BATCH_SIZE,
    batchMs: DEFAULT_BATCH_MS,
    ackWaitMs: DEFAULT_ACK_WAIT_MS,
    relayAfterMs: DEFAULT_RELAY_AFTER_MS,
    relayAgainAfterMs: DEFAULT_RELAY_AGAIN_AFTER_MS,
    relayEveryMs: DEFAULT_RELAY_EVERY_MS,
    shutdownGraceMs: DEFAULT_SHUTDOWN_GRACE_MS,
    streamMaxBytes: DEFAULT_STREAM_MAX_BYTES,
    duplicateWindowMs: DEFAULT_DUPLICATE_WINDOW_MS,
    partitions: DEFAULT_PARTITIONS,
    workerId: where.consumer,
    ...where,
  };
}

/**
 * The ingest worker as deployed (main.ts, production defaults), for a bench: reading and writing
 * where `where` says, logging to `<logDir>/<name>.log`, with `env` added (e.g. the list cache).
 * Resolves once its /healthz answers.
 */
export async function startDeployedWorker(
  name: string,
  where: Pick<IngestConfig, 'stream' | 'subject' | 'clickhouse' | 'pipeline' | 'databaseUrl' | 'pgWsProxy' | 'consumer'> &
    Partial<Pick<IngestConfig, 'partitions'>>,
  logDir: string,
  env: Record<string, string> = {},
): Promise<Child> {
  const httpPort = await freePort();
  const worker = spawnChild(name, process.execPath, ['--import', 'tsx', join(ROOT, 'worker-ingest/src/main.ts')], {
    env: { PATH: process.env.PATH ?? '', ...configEnv(deployedWorkerConfig({ ...where, httpPort })), ...env },
    cwd: ROOT,
    logFile: join(logDir, `${name}.log`),
  });
  try {
    await waitForHttp(`http://127.0.0.1:${httpPort}/healthz`, 30_000);
  } catch (error) {
    await worker.stop();
    throw error;
  }
  return worker;
}

/**
 * The environment that makes main.ts run with `config`. Not its workerId: each process names
 * itself (host and process id), so that several started from one config are several workers.
 */
export function configEnv(config: IngestConfig): Record<string, string> {
  return {
    NATS_URL: config.nats.servers.join(','),
    ...natsIdentityEnv(config.nats),
    NATS_STREAM: config.stream,
    NATS_SUBJECT: config.subject,
    CLICKHOUSE_URL: config.clickhouse.url,
    CLICKHOUSE_WRITER_USER: config.clickhouse.username,
    CLICKHOUSE_WRITER_PASSWORD: config.clickhouse.password,
    CLICKHOUSE_DATABASE: config.clickhouse.database,
    CLICKHOUSE_REQUEST_TIMEOUT_MS: String(config.clickhouse.requestTimeoutMs ?? 30_000),
    INGEST_PIPELINE: config.pipeline,
    INGEST_PARTITIONS: String(config.partitions),
    DATABASE_URL: config.databaseUrl,
    PG_WS_PROXY: config.pgWsProxy ?? '',
    INGEST_BATCH_SIZE: String(config.batchSize),
    INGEST_BATCH_MS: String(config.batchMs),
    INGEST_CONSUMER: config.consumer,
    INGEST_ACK_WAIT_MS: String(config.ackWaitMs),
    RELAY_AFTER_MS: String(config.relayAfterMs),
    RELAY_AGAIN_AFTER_MS: String(config.relayAgainAfterMs),
    RELAY_EVERY_MS: String(config.relayEveryMs),
    INGEST_SHUTDOWN_GRACE_MS: String(config.shutdownGraceMs),
    NATS_STREAM_MAX_BYTES: String(config.streamMaxBytes),
    NATS_DUPLICATE_WINDOW_MS: String(config.duplicateWindowMs),
    INGEST_HTTP_PORT: String(config.httpPort),
  };
}

function natsIdentityEnv({ identity, tls }: NatsServer): Record<string, string> {
  const ca: Record<string, string> = tls?.caFile ? { NATS_CA: tls.caFile } : {};
  if ('credsFile' in identity) return { INGEST_NATS_CREDS: identity.credsFile, ...ca };
  return { INGEST_NATS_USER: identity.user, INGEST_NATS_PASSWORD: identity.pass, ...ca };
}

let nextId = Math.floor(Math.random() * 1_000_000_000);

/** A valid event with a fresh id; good ids are unique per call so tests never see each other's rows. */
export function makeEvent(overrides: Partial<GoodEvent> = {}): GoodEvent {
  return {
    eventId: randomUUID(),
    id: nextId++,
    projectId: 1,
    name: 'name',
    description: '',
    priority: 1,
    removed: false,
    eventTime: new Date().toISOString(),
    ...overrides,
  };
}

/** Publishes events to their partitions (msgID = eventId unless `msgId` says otherwise), at most `parallel` in flight. */
export async function publishEvents(
  nc: NatsConnection,
  route: Pick<IngestConfig, 'subject' | 'partitions'>,
  events: readonly GoodEvent[],
  msgId: (event: GoodEvent, index: number) => string = (e) => e.eventId,
  parallel = 500,
): Promise<void> {
  const js = (await jetstreamManager(nc)).jetstream();
  for (let i = 0; i < events.length; i += parallel) {
    await Promise.all(
      events
        .slice(i, i + parallel)
        .map((e, j) =>
          js.publish(eventSubject(route.subject, e.projectId, route.partitions), JSON.stringify(e), { msgID: msgId(e, i + j) }),
        ),
    );
  }
}

async function countByEventId(ch: ClickHouseClient, table: string, eventIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < eventIds.length; i += 2000) {
    const chunk = eventIds.slice(i, i + 2000);
    const result = await ch.query({
      query: `SELECT toString(EventId) AS id, count() AS n FROM ${table}
              WHERE EventId IN (SELECT toUUID(arrayJoin(splitByChar(',', '${chunk.join(',')}'))))
              GROUP BY EventId`,
      format: 'JSONEachRow',
    });
    for (const r of await result.json<{ id: string; n: string }>()) counts.set(r.id, Number(r.n));
  }
  return counts;
}

/**
 * For the given ids: how many are in goods_log, how many rows were ever inserted for them, and
 * how many ids were inserted more than once.
 */
export async function exactlyOnceReport(ch: ClickHouseClient, eventIds: readonly string[]) {
  const present = (await countByEventId(ch, 'goods_log', eventIds)).size;
  let rows = 0;
  let repeated = 0;
  for (const n of (await countByEventId(ch, INSERT_LOG, eventIds)).values()) {
    rows += n;
    if (n > 1) repeated++;
  }
  return { present, rows, repeated, missing: eventIds.length - present };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The partitions' consumers together: messages waiting, delivered and not acked, and redelivered. */
export async function consumerState(jsm: JetStreamManager, config: IngestConfig) {
  const state = { pending: 0, ackPending: 0, redelivered: 0 };
  for (let partition = 0; partition < config.partitions; partition++) {
    const info = await jsm.consumers.info(config.stream, partitionConsumer(config.consumer, partition));
    state.pending += info.num_pending;
    state.ackPending += info.num_ack_pending;
    state.redelivered += info.num_redelivered;
  }
  return state;
}
