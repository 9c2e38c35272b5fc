// Benchmark of the ingest pipeline (npm run bench:ingest; not a test). Needs scripts/services.sh up.
//  1. Throughput: for each worker count of BENCH_WORKERS (default 1, 2, 3), BENCH_EVENTS fresh
//     events (default 100,000) are published to a stream of their own, then that many worker
//     processes (INGEST_BATCH_SIZE / INGEST_BATCH_MS, default the worker's own) drain them. It
//     prints the CPU each process used per event, and the workers' own timing of their batches.
//  2. Lag: with each worker count of BENCH_LAG_WORKERS running (default 1 and the best count
//     above), BENCH_LAG_RATES events/s (default 1,000 and 10,000) for BENCH_LAG_SECONDS (default
//     15) each, published as the API publishes; each event's write -> visible lag (publish call
//     to the first poll that sees the row; polls every 25 ms).
//  3. Direct: the same rows inserted with clickhouse-client into a table of the same schema, as one
//     INSERT, as one INSERT cut into blocks of 1,000 rows (three times: the median counts), and as
//     one clickhouse-client run per 1,000.
// The last line compares the best pipeline rate with the direct blocks:
// `ingest: <events/s> events/s = <ratio> of direct`.
// Everything goes to a scratch ClickHouse database and scratch streams, all removed at the end.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyClickHouseMigrations } from '../../shared/migrate/clickhouse.ts';
import { GOODS_LOG_COLUMNS } from '../../worker-ingest/src/clickhouse.ts';
import { createClickHouse } from '../../shared/clickhouse-writer.ts';
import type { GoodEvent } from '../../shared/event.ts';
import { eventSubject } from '../../shared/partitions.ts';
import { headers } from '@nats-io/nats-core';
import { toRow } from '../../worker-ingest/src/event.ts';
import { createLog } from '../../shared/log.ts';
import { ensureStream, streamSettingsOf } from '../../worker-ingest/src/nats.ts';
import { ROOT } from '../support/env.ts';
import { makeEvent, publishEvents, setUpBackends, testClickHouseTarget } from '../support/worker/backends.ts';
import { type ChildWorker, spawnWorker } from '../support/worker/child-worker.ts';
import { DEFAULT_ACK_WAIT_MS, DEFAULT_BATCH_MS, DEFAULT_BATCH_SIZE, type IngestConfig } from '../../worker-ingest/src/config.ts';
import { byName, byPid, startCpu } from './cpu.ts';
import { deleteFromJetStream } from '../support/jetstream-delete.ts';
import { reportBench } from './report.ts';

reportBench('ingest');

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 15);
/** The direct inserts' block size, the yardstick of the pipeline's rate. */
const DIRECT_BLOCK = 1000;
const CH_TCP_PORT = process.env.CLICKHOUSE_TCP_PORT ?? '19000';

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
const tmp = mkdtempSync(join(tmpdir(), 'ingest-bench-'));

/** The figures of this run, printed as a table at the end. */
const summary: Record<string, string> = {};
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2,3').split(',').map(Number);
const LAG_RATES = (process.env.BENCH_LAG_RATES ?? '1000,10000').split(',').map(Number);
let run = 0;

/** A stream and subject of their own for one measurement (the consumer name is the config's). */
async function freshPipeline(): Promise<IngestConfig> {
  run++;
  const config = { ...b.config, stream: `${b.config.stream}_${run}`, subject: `${b.config.subject}.r${run}` };
  await ensureStream(b.jsm, streamSettingsOf(config), createLog());
  return config;
}

async function stopAll(workers: ChildWorker[]): Promise<void> {
  for (const w of workers) w.process.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

interface Drain {
  /** Events/s into ClickHouse. */
  rate: number;
  /** CPU µs per event, by process. */
  cpu: Map<string, number>;
}

/** EVENTS fresh events published, then drained by `count` workers. */
async function throughput(count: number): Promise<Drain> {
  const config = await freshPipeline();
  const events = Array.from({ length: EVENTS }, (_, i) =>
    makeEvent({ projectId: 1 + (i % 10), name: `good ${i}`, description: 'x'.repeat(40), priority: i + 1 }),
  );
  const published = performance.now();
  await publishEvents(b.nc, config, events);
  const publishSeconds = (performance.now() - published) / 1000;
  summary[`publish to JetStream, ${count} worker run (events/s)`] = fmt(EVENTS / publishSeconds);
  workers = await Promise.all(Array.from({ length: count }, () => spawnWorker(config)));
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
      console.log(`  ${count} worker(s): inserted ${fmt(inserted)} / ${fmt(EVENTS)}`);
    }
    await sleep(20);
  }
  const rate = EVENTS / ((performance.now() - started) / 1000);
  const shares = workers.map((w) => w.logs.filter((l) => l.msg === 'batch').reduce((sum, l) => sum + Number(l.inserted), 0));
  console.log(`pipeline, ${count} worker(s): ${fmt(rate)} events/s (each inserted ${shares.map(fmt).join(' / ')})`);
  printBatches(workers);
  const perEvent = new Map([...cpu()].map(([name, ms]) => [name, (ms * 1000) / EVENTS]));
  console.log(`  CPU during the drain, µs per event: ${[...perEvent].map(([name, us]) => `${name} ${fmt(us)}`).join(', ')}`);
  await stopAll(workers);
  workers = [];
  await deleteFromJetStream(`stream ${config.stream}`, () => b.jsm.streams.delete(config.stream), { mayBeAbsent: true });
  if (count === 1) lastEvents = events;
  return { rate, cpu: perEvent };
}

/** Write -> visible lag at `rate` events/s for LAG_SECONDS, with `count` workers running. */
async function lag(rate: number, count: number): Promise<void> {
  const config = await freshPipeline();
  workers = await Promise.all(Array.from({ length: count }, () => spawnWorker(config)));
  const lagProject = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  const total = rate * LAG_SECONDS;
  const publishedAt = new Float64Array(total);
  const visibleAt = new Float64Array(total);
  let seen = 0;
  let polling = true;
  // Where undelivered or unacked events wait: the consumer's state, once a second.
  const backlog = { pending: 0, ackPending: 0 };
  const watcher = setInterval(() => {
    b.jsm.consumers.info(config.stream, config.consumer).then(
      (info) => {
        backlog.pending = Math.max(backlog.pending, info.num_pending);
        backlog.ackPending = Math.max(backlog.ackPending, info.num_ack_pending);
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
  summary[`lag p50 / p99 at ${fmt(total / sendSeconds)} events/s, ${count} worker(s) (ms)`] =
    `${fmt(percentile(lags, 50))} / ${fmt(percentile(lags, 99))}`;
  console.log(
    `lag at ${fmt(total / sendSeconds)} events/s for ${LAG_SECONDS} s, ${count} worker(s): write -> visible p50 ${fmt(percentile(lags, 50))} ms, ` +
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

const BATCH_FIGURES = ['size', 'lagMs', 'ms', 'queuedMs', 'lockMs', 'checkMs', 'insertMs', 'commitMs'] as const;

/** The workers' own account of their batches (worker-ingest/src/batch-writer.ts), p50 / max. */
function printBatches(of: ChildWorker[]): void {
  const batches = of.flatMap((w) => w.logs.filter((l) => l.msg === 'batch'));
  const figures = BATCH_FIGURES.map((key) => {
    const values = batches.map((l) => Number(l[key])).sort((a, z) => a - z);
    return `${key} ${fmt(percentile(values, 50))}/${fmt(values.at(-1) ?? NaN)}`;
  });
  console.log(`  ${batches.length} batches, p50/max: ${figures.join(', ')}`);
}

let workers: ChildWorker[] = [];
let lastEvents: GoodEvent[] = [];

try {
  // --- 1. throughput with 1, 2 and 3 workers
  const drains = new Map<number, Drain>();
  for (const count of WORKER_COUNTS) {
    drains.set(count, await throughput(count));
    summary[`pipeline into ClickHouse, ${count} worker(s) (events/s)`] = fmt(drains.get(count)!.rate);
  }
  const [bestCount, best] = [...drains].sort((x, y) => y[1].rate - x[1].rate)[0]!;
  const rate = best.rate;

  // --- 2. lag at steady rates, with one worker and with the best count: more workers share the
  // load but wait for each other's write lock, which adds to the lag of a steady stream
  const lagCounts = process.env.BENCH_LAG_WORKERS?.split(',').map(Number) ?? [...new Set([1, bestCount])];
  for (const count of lagCounts) for (const lagRate of LAG_RATES) await lag(lagRate, count);

  // --- 3. direct clickhouse-client inserts of the same rows
  const lines = lastEvents.map((e) => JSON.stringify(toRow(e)));
  const file = join(tmp, 'rows.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  // As the writer; its password in a client config file, not on a command line.
  const clientConfig = join(tmp, 'clickhouse-client.xml');
  writeFileSync(clientConfig, `<config><user>${clickhouse.username}</user><password>${clickhouse.password}</password></config>\n`, {
    mode: 0o600,
  });
  const client = (table: string, input: string, extra = '') =>
    execFileSync('sh', [
      '-c',
      `clickhouse-client --config-file ${clientConfig} --port ${CH_TCP_PORT} --database ${database} ${extra} ` +
        `--query "INSERT INTO ${table} (${GOODS_LOG_COLUMNS.join(', ')}) FORMAT JSONEachRow" < ${input}`,
    ]);
  const timed = async (table: string, run: () => void) => {
    await ch.command({ query: `CREATE TABLE ${table} AS goods_log` });
    const started = performance.now();
    run();
    return EVENTS / ((performance.now() - started) / 1000);
  };
  const bulk = await timed('direct_bulk', () => client('direct_bulk', file));
  // Without the min_insert_block_size_* settings the server would squash the blocks into one part again.
  const blocks = `--max_insert_block_size=${DIRECT_BLOCK} --min_insert_block_size_rows=0 --min_insert_block_size_bytes=0`;
  // The yardstick varies from run to run (by a factor of up to 3 here): the median of three.
  const blockRates: number[] = [];
  for (const n of [1, 2, 3]) blockRates.push(await timed(`direct_blocks_${n}`, () => client(`direct_blocks_${n}`, file, blocks)));
  console.log(`direct blocks of ${DIRECT_BLOCK}, three runs: ${blockRates.map(fmt).join(', ')} rows/s`);
  const sameBlocks = blockRates.sort((a, z) => a - z)[1]!;
  const batchFiles: string[] = [];
  for (let i = 0; i < lines.length; i += DIRECT_BLOCK) {
    const f = join(tmp, `batch-${i}.jsonl`);
    writeFileSync(f, `${lines.slice(i, i + DIRECT_BLOCK).join('\n')}\n`);
    batchFiles.push(f);
  }
  const perBatch = await timed('direct_runs', () => {
    for (const f of batchFiles) client('direct_runs', f);
  });
  const row = (label: string, r: number) => {
    summary[`direct: ${label} (rows/s; pipeline %)`] = `${fmt(r)}; ${((100 * rate) / r).toFixed(0)} %`;
    console.log(`  ${label.padEnd(58)} ${fmt(r).padStart(9)} rows/s   pipeline = ${((100 * rate) / r).toFixed(0)} %`);
  };
  console.log(`direct with clickhouse-client (native protocol), the same ${fmt(EVENTS)} rows:`);
  row('one INSERT, one part', bulk);
  row(`one INSERT, blocks of ${DIRECT_BLOCK} rows (a part each; median)`, sameBlocks);
  row(`one clickhouse-client run per ${DIRECT_BLOCK} rows`, perBatch);
  summary['ratio: best pipeline / direct blocks'] = (rate / sameBlocks).toFixed(2);
  // Half the direct rate, on this machine's cores, leaves this much CPU per event for every
  // process of the pipeline together (publishing excluded).
  const budget = (availableParallelism() * 1e6) / (sameBlocks / 2);
  const spent = [...best.cpu].filter(([name]) => name !== 'load generator + bench').reduce((sum, [, us]) => sum + us, 0);
  console.log(
    `CPU per event for half the direct rate on ${availableParallelism()} cores: at most ${budget.toFixed(1)} µs for all processes; ` +
      `the drain with ${bestCount} worker(s) used ${spent.toFixed(1)} µs, nats-server alone ${(best.cpu.get('nats-server') ?? 0).toFixed(1)} µs`,
  );
  console.log('\nsummary');
  console.table(summary);
  console.log(`ingest: ${fmt(rate)} events/s = ${(rate / sameBlocks).toFixed(2)} of direct`);
} finally {
  await stopAll(workers);
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
  await ch.close();
  await b.close();
  rmSync(tmp, { recursive: true, force: true });
}
