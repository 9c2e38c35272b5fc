// Benchmark of the ingest pipeline (npm run bench:ingest; not a test). Needs scripts/services.sh up.
//  1. Throughput: for each setup of BENCH_SETUPS (`<workers>x<partitions>`, default 1x1, 2x1 and
//     2x2), BENCH_EVENTS fresh events (default 100,000) of 10 projects are published to a stream of
//     their own, then that many worker processes (INGEST_BATCH_SIZE / INGEST_BATCH_MS, default the
//     worker's own) drain them. It prints the CPU each process used per event, and the workers' own
//     timing of their batches: `lockMs` is the wait for the write lock, which workers of one
//     partition share and workers of different partitions do not.
//  2. Lag: with the setups of BENCH_LAG_SETUPS running (default 1x1 and the fastest above),
//     BENCH_LAG_RATES events/s (default 1,000 and 10,000) for BENCH_LAG_SECONDS (default 15)
//     each, published as the API publishes; each event's write -> visible lag (publish call to the
//     first poll that sees the row; polls every 25 ms).
// The last line gives the fastest setup's rate and its workers' CPU per event over nats-server's:
// `ingest: <events/s> events/s, worker/nats-server CPU <ratio>`.
// Everything goes to a scratch ClickHouse database and scratch streams, all removed at the end.
import { randomUUID } from 'node:crypto';
import { applyClickHouseMigrations } from '../../shared/migrate/clickhouse.ts';
import { createClickHouse } from '../../shared/clickhouse-writer.ts';
import { eventSubject, partitionSubjects } from '../../shared/partitions.ts';
import { headers } from '@nats-io/nats-core';
import { createLog } from '../../shared/log.ts';
import { ensureConsumer, ensureStream, streamSettingsOf } from '../../worker-ingest/src/nats.ts';
import { partitionConsumer } from '../../worker-ingest/src/pipeline.ts';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../support/env.ts';
import { consumerState, makeEvent, publishEvents, setUpBackends, testClickHouseTarget } from '../support/worker/backends.ts';
import { type ChildWorker, spawnWorker } from '../support/worker/child-worker.ts';
import { DEFAULT_ACK_WAIT_MS, DEFAULT_BATCH_MS, DEFAULT_BATCH_SIZE, type IngestConfig } from '../../worker-ingest/src/config.ts';
import { byName, byPid, startCpu } from './cpu.ts';
import { deleteFromJetStream } from '../support/jetstream-delete.ts';
import { reportBench } from './report.ts';

reportBench('ingest');

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 15);

const tag = randomUUID().slice(0, 8);
const database = `goods_bench_${tag}`;
const clickhouse = { ...testClickHouseTarget(), database };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

await applyClickHouseMigrations(clickhouse, `${ROOT}migrations/clickhouse`);
const b = await setUpBackends({
  clickhouse,
  batchSize: Number(process.env.INGEST_BATCH_SIZE ?? DEFAULT_BATCH_SIZE),
  batchMs: Number(process.env.INGEST_BATCH_MS ?? DEFAULT_BATCH_MS),
  ackWaitMs: DEFAULT_ACK_WAIT_MS,
});
const ch = createClickHouse(clickhouse);

/** The figures of this run, printed as a table at the end. */
const summary: Record<string, string> = {};

/** `<workers>x<partitions>`: how many worker processes drain a stream of how many partitions. */
interface Setup {
  workers: number;
  partitions: number;
}
const parseSetups = (list: string): Setup[] =>
  list.split(',').map((item) => {
    const [workers, partitions] = item.split('x').map(Number);
    return { workers: workers!, partitions: partitions! };
  });
const label = (s: Setup) => `${s.workers} worker(s), ${s.partitions} partition(s)`;
const SETUPS = parseSetups(process.env.BENCH_SETUPS ?? '1x1,2x1,2x2');
const LAG_RATES = (process.env.BENCH_LAG_RATES ?? '1000,10000').split(',').map(Number);
let run = 0;

/** A stream and subject of their own for one measurement (the consumer name is the config's). */
async function freshPipeline(partitions: number): Promise<IngestConfig> {
  run++;
  const config = { ...b.config, partitions, stream: `${b.config.stream}_${run}`, subject: `${b.config.subject}.r${run}` };
  await ensureStream(b.jsm, streamSettingsOf(config), createLog());
  return config;
}

async function stopAll(workers: ChildWorker[]): Promise<void> {
  for (const w of workers) w.process.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

/**
 * `count` worker processes, once they hold every partition between them, as evenly as they can:
 * until then a measurement would count their start-up (a worker takes partitions from its
 * second round of leases on) as pipeline time.
 */
async function startWorkers(count: number, config: IngestConfig): Promise<ChildWorker[]> {
  const started = await Promise.all(Array.from({ length: count }, () => spawnWorker(config)));
  const most = Math.ceil(config.partitions / count);
  for (;;) {
    const held = await Promise.all(started.map(async (w) => (await w.metrics()).partitions.mine));
    if (held.flat().length === config.partitions && held.every((mine) => mine.length <= most)) return started;
    await sleep(100);
  }
}

interface Drain {
  /** Events/s into ClickHouse. */
  rate: number;
  /** CPU µs per event: all the workers together, and nats-server. */
  workersUs: number;
  natsUs: number;
}

/** EVENTS fresh events published, then drained by `setup.workers` workers. */
async function throughput(setup: Setup): Promise<Drain> {
  const count = setup.workers;
  const config = await freshPipeline(setup.partitions);
  const events = Array.from({ length: EVENTS }, (_, i) =>
    makeEvent({ projectId: 1 + (i % 10), name: `good ${i}`, description: 'x'.repeat(40), priority: i + 1 }),
  );
  const published = performance.now();
  await publishEvents(b.nc, config, events);
  const publishSeconds = (performance.now() - published) / 1000;
  summary[`publish to JetStream, ${label(setup)} run (events/s)`] = fmt(EVENTS / publishSeconds);
  workers = await startWorkers(count, config);
  const cpu = startCpu([
    ...workers.map((w, i) => byPid(`worker ${i + 1}`, w.process.pid!)),
    byName('nats-server'),
    byName('clickhouse-serv'),
    byName('postgres'),
    byName('pgbouncer'),
    byPid('Postgres bridge', b.bridgePid),
  ]);
  const started = performance.now();
  let reported = started;
  let inserted = 0;
  for (;;) {
    inserted = (await Promise.all(workers.map((w) => w.metrics()))).reduce((sum, m) => sum + m.eventsInserted, 0);
    if (inserted >= EVENTS) break;
    if (performance.now() - reported >= 1000) {
      reported = performance.now();
      console.log(`  ${label(setup)}: inserted ${fmt(inserted)} / ${fmt(EVENTS)}`);
    }
    await sleep(20);
  }
  const rate = EVENTS / ((performance.now() - started) / 1000);
  const shares = workers.map((w) => w.logs.filter((l) => l.msg === 'batch').reduce((sum, l) => sum + Number(l.inserted), 0));
  console.log(`pipeline, ${label(setup)}: ${fmt(rate)} events/s (each inserted ${shares.map(fmt).join(' / ')})`);
  summary[`lock wait per batch p50 / max, ${label(setup)} (ms)`] = printBatches(workers);
  const perEvent = new Map([...cpu()].map(([name, ms]) => [name, (ms * 1000) / EVENTS]));
  console.log(`  CPU during the drain, µs per event: ${[...perEvent].map(([name, us]) => `${name} ${us.toFixed(1)}`).join(', ')}`);
  const workersUs = [...perEvent].filter(([name]) => name.startsWith('worker ')).reduce((sum, [, us]) => sum + us, 0);
  const natsUs = perEvent.get('nats-server') ?? Number.NaN;
  summary[`CPU per event, workers / nats-server, ${label(setup)} (µs)`] = `${workersUs.toFixed(1)} / ${natsUs.toFixed(1)}`;
  await stopAll(workers);
  workers = [];
  await deleteFromJetStream(`stream ${config.stream}`, () => b.jsm.streams.delete(config.stream), { mayBeAbsent: true });
  return { rate, workersUs, natsUs };
}

/**
 * The NATS client's floor: EVENTS messages consumed and acked by a process that does nothing
 * else with them (ack-only-consumer.ts), beside nats-server's CPU for the same messages.
 */
async function clientFloor(): Promise<{ clientUs: number; natsUs: number }> {
  const config = await freshPipeline(1);
  await publishEvents(
    b.nc,
    config,
    Array.from({ length: EVENTS }, (_, i) => makeEvent({ projectId: 1 + (i % 10), name: `good ${i}`, description: 'x'.repeat(40) })),
  );
  const consumer = partitionConsumer(config.consumer, 0);
  await ensureConsumer(b.jsm, config.stream, {
    durable: consumer,
    filter: partitionSubjects(config.subject, 0),
    ackWaitMs: config.ackWaitMs,
    maxAckPending: 3 * config.batchSize,
  });
  const nats = startCpu([byName('nats-server')]);
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test/bench/ack-only-consumer.ts'), config.stream, consumer, String(EVENTS), String(config.batchSize)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const natsUs = ((nats().get('nats-server') ?? Number.NaN) * 1000) / EVENTS;
  const { cpuMs } = JSON.parse(output.trim().split('\n').at(-1)!) as { cpuMs: number };
  const clientUs = (cpuMs * 1000) / EVENTS;
  console.log(`NATS client floor: consuming and acking alone ${clientUs.toFixed(1)} µs per message, nats-server ${natsUs.toFixed(1)} µs`);
  summary['NATS client floor: consume + ack alone / nats-server (µs per message)'] = `${clientUs.toFixed(1)} / ${natsUs.toFixed(1)}`;
  await deleteFromJetStream(`stream ${config.stream}`, () => b.jsm.streams.delete(config.stream), { mayBeAbsent: true });
  return { clientUs, natsUs };
}

/** Write -> visible lag at `rate` events/s for LAG_SECONDS, with `setup` running. */
async function lag(rate: number, setup: Setup): Promise<void> {
  const count = setup.workers;
  const config = await freshPipeline(setup.partitions);
  workers = await startWorkers(count, config);
  const lagProject = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  const total = rate * LAG_SECONDS;
  const publishedAt = new Float64Array(total);
  const visibleAt = new Float64Array(total);
  let seen = 0;
  let polling = true;
  // Where undelivered or unacked events wait: the consumer's state, once a second.
  const backlog = { pending: 0, ackPending: 0 };
  const watcher = setInterval(() => {
    consumerState(b.jsm, config).then(
      (state) => {
        backlog.pending = Math.max(backlog.pending, state.pending);
        backlog.ackPending = Math.max(backlog.ackPending, state.ackPending);
      },
      () => undefined,
    );
  }, 1000);
  const polls: number[] = [];
  const poller = (async () => {
    let from = 0;
    while (polling || seen < total) {
      const pollStart = performance.now();
      const result = await ch.query({
        query: `SELECT Id FROM goods_log WHERE Id >= ${from} AND Id < ${total} AND ProjectId = ${lagProject}`,
        format: 'JSONEachRow',
      });
      const now = performance.now();
      for (const { Id } of await result.json<{ Id: number }>()) {
        if (!visibleAt[Id]) {
          visibleAt[Id] = now;
          seen++;
        }
      }
      while (from < total && visibleAt[from]) from++;
      polls.push(performance.now() - pollStart);
      await sleep(25);
    }
  })();
  // Published as the API publishes (functions/audit/publish-events.ts): plain publishes with
  // Nats-Msg-Id, flushed each tick, not acknowledged one by one.
  const start = performance.now();
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  for (let i = 0; i < total; ) {
    const due = start + (i / rate) * 1000;
    const wait = due - performance.now();
    // Behind schedule it still yields, so that the poller's answers are read when they arrive.
    await (wait > 0 ? sleep(wait) : new Promise(setImmediate));
    for (let k = 0; k < perTick && i < total; k++, i++) {
      const e = makeEvent({ id: i, projectId: lagProject, eventTime: new Date().toISOString() });
      const msgHeaders = headers();
      msgHeaders.set('Nats-Msg-Id', e.eventId);
      publishedAt[i] = performance.now();
      b.nc.publish(eventSubject(config.subject, lagProject, config.partitions), JSON.stringify(e), { headers: msgHeaders });
    }
    await b.nc.flush();
  }
  const sendSeconds = (performance.now() - start) / 1000;
  const deadline = performance.now() + 30_000;
  while (seen < total && performance.now() < deadline) await sleep(50);
  polling = false;
  clearInterval(watcher);
  await Promise.race([poller, sleep(1000)]);
  const lags = Array.from(publishedAt, (p, i) => visibleAt[i]! - p)
    .filter((l) => l > 0)
    .sort((a, z) => a - z);
  summary[`lag p50 / p99 at ${fmt(total / sendSeconds)} events/s, ${label(setup)} (ms)`] =
    `${fmt(percentile(lags, 50))} / ${fmt(percentile(lags, 99))}`;
  console.log(
    `lag at ${fmt(total / sendSeconds)} events/s for ${LAG_SECONDS} s, ${label(setup)}: write -> visible p50 ${fmt(percentile(lags, 50))} ms, ` +
      `p99 ${fmt(percentile(lags, 99))} ms, max ${fmt(lags.at(-1) ?? NaN)} ms (${fmt(lags.length)}/${fmt(total)} seen)`,
  );
  polls.sort((a, z) => a - z);
  console.log(`  ${polls.length} polls of goods_log, each p50 ${fmt(percentile(polls, 50))} ms / max ${fmt(polls.at(-1) ?? NaN)} ms`);
  console.log(
    `  consumer backlog, max of 1 s samples: ${fmt(backlog.pending)} not delivered, ${fmt(backlog.ackPending)} delivered, not acked`,
  );
  printBatches(workers);
  await stopAll(workers);
  workers = [];
  await deleteFromJetStream(`stream ${config.stream}`, () => b.jsm.streams.delete(config.stream), { mayBeAbsent: true });
}

const BATCH_FIGURES = ['size', 'lagMs', 'ms', 'queuedMs', 'lockMs', 'lockWaitMs', 'checkMs', 'insertMs', 'commitMs'] as const;

/**
 * The workers' own account of their batches (worker-ingest/src/batch-writer.ts), p50 / max;
 * returns the wait for the write lock (`lockWaitMs`, measured by Postgres: `lockMs` adds the
 * round trip and the worker's own event loop).
 */
function printBatches(of: ChildWorker[]): string {
  const batches = of.flatMap((w) => w.logs.filter((l) => l.msg === 'batch'));
  const figures = Object.fromEntries(
    BATCH_FIGURES.map((key) => {
      const values = batches.map((l) => Number(l[key])).sort((a, z) => a - z);
      return [key, `${fmt(percentile(values, 50))}/${fmt(values.at(-1) ?? NaN)}`];
    }),
  );
  console.log(
    `  ${batches.length} batches, p50/max: ${Object.entries(figures)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ')}`,
  );
  return figures.lockWaitMs!;
}

let workers: ChildWorker[] = [];

try {
  // --- 1. throughput of each setup
  const drains = new Map<Setup, Drain>();
  for (const setup of SETUPS) {
    const drain = await throughput(setup);
    drains.set(setup, drain);
    summary[`pipeline into ClickHouse, ${label(setup)} (events/s)`] = fmt(drain.rate);
  }
  const [bestSetup, best] = [...drains].sort((x, y) => y[1].rate - x[1].rate)[0]!;
  await clientFloor();

  // --- 2. lag at steady rates, with one worker and with the fastest setup
  const lagSetups = process.env.BENCH_LAG_SETUPS
    ? parseSetups(process.env.BENCH_LAG_SETUPS)
    : [{ workers: 1, partitions: 1 }, ...(bestSetup.workers === 1 && bestSetup.partitions === 1 ? [] : [bestSetup])];
  for (const setup of lagSetups) for (const lagRate of LAG_RATES) await lag(lagRate, setup);

  console.log('\nsummary');
  console.table(summary);
  console.log(`ingest: ${fmt(best.rate)} events/s, worker/nats-server CPU ${(best.workersUs / best.natsUs).toFixed(2)}`);
} finally {
  await stopAll(workers);
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
  await ch.close();
  await b.close();
}
