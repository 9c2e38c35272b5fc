// Benchmark of the ingest pipeline (npm run bench:ingest; not a test). Needs scripts/services.sh up.
//  1. Throughput: BENCH_EVENTS events (default 100,000) are published to a fresh stream, then the
//     worker (its own process; INGEST_BATCH_SIZE / INGEST_BATCH_MS, default 1000 / 1000) drains them.
//  2. Lag: with the worker running, BENCH_LAG_RATE events/s (default 1,000) for BENCH_LAG_SECONDS
//     (default 15); each event's write -> visible lag (publish call to first poll that sees the
//     row; polls every 25 ms).
//  3. Direct: the same rows inserted with clickhouse-client into a table of the same schema, as one
//     INSERT, as one INSERT cut into batch-sized blocks, and as one clickhouse-client run per batch.
// Everything goes to a scratch ClickHouse database and a scratch stream, both removed at the end.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyClickHouseMigrations } from '../../shared/migrate/clickhouse.ts';
import { createClickHouse, GOODS_LOG_COLUMNS } from '../../worker-ingest/src/clickhouse.ts';
import type { GoodEvent } from '../../shared/event.ts';
import { toRow } from '../../worker-ingest/src/event.ts';
import { ensureStream } from '../../worker-ingest/src/nats.ts';
import { ROOT } from '../support/env.ts';
import { makeEvent, publishEvents, setUpBackends, testClickHouseTarget } from '../support/worker/backends.ts';
import { spawnWorker } from '../support/worker/child-worker.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const LAG_RATE = Number(process.env.BENCH_LAG_RATE ?? 1000);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 15);
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
  batchSize: Number(process.env.INGEST_BATCH_SIZE ?? 1000),
  batchMs: Number(process.env.INGEST_BATCH_MS ?? 1000),
  ackWaitMs: 30_000,
});
const ch = createClickHouse(clickhouse);
let worker: Awaited<ReturnType<typeof spawnWorker>> | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'ingest-bench-'));

/** The figures of this run, printed as a table at the end. */
const summary: Record<string, string> = {};

try {
  // --- 1. throughput
  await ensureStream(b.jsm, b.config.stream, b.config.subject);
  const events: GoodEvent[] = Array.from({ length: EVENTS }, (_, i) =>
    makeEvent({ projectId: 1 + (i % 10), name: `good ${i}`, description: 'x'.repeat(40), priority: i + 1 }),
  );
  let t = performance.now();
  await publishEvents(b.nc, b.config.subject, events);
  const publishMs = performance.now() - t;
  summary['publish to JetStream (events/s)'] = fmt(EVENTS / (publishMs / 1000));
  console.log(`published ${fmt(EVENTS)} events to JetStream in ${(publishMs / 1000).toFixed(2)} s (${fmt(EVENTS / (publishMs / 1000))}/s)`);

  worker = await spawnWorker(b.config);
  t = performance.now();
  let reported = t;
  for (;;) {
    const m = await worker.metrics();
    if (m.eventsInserted >= EVENTS) break;
    if (performance.now() - reported >= 1000) {
      reported = performance.now();
      console.log(`  inserted ${fmt(m.eventsInserted)} / ${fmt(EVENTS)}`);
    }
    await sleep(20);
  }
  const drainMs = performance.now() - t;
  const m = await worker.metrics();
  const rate = EVENTS / (drainMs / 1000);
  const [count] = await (await ch.query({ query: 'SELECT count() AS n FROM goods_log', format: 'JSONEachRow' })).json<{ n: string }>();
  summary['pipeline into ClickHouse (events/s)'] = fmt(rate);
  const batchMs = worker.logs.filter((l) => l.msg === 'batch').map((l) => Number(l.ms));
  console.log(
    `pipeline: ${fmt(EVENTS)} events into ClickHouse in ${(drainMs / 1000).toFixed(2)} s = ${fmt(rate)} events/s ` +
      `(${m.batches} batches, ${m.inserts} INSERTs, ${m.duplicatesSkipped} duplicates; goods_log rows: ${count?.n}); ` +
      `batch close -> acked: ${fmt(batchMs.reduce((a, x) => a + x, 0) / batchMs.length)} ms on average`,
  );

  // --- 2. lag at a steady rate
  const lagProject = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  const total = LAG_RATE * LAG_SECONDS;
  const publishedAt = new Float64Array(total);
  const visibleAt = new Float64Array(total);
  let seen = 0;
  let polling = true;
  const poller = (async () => {
    let from = 0;
    while (polling || seen < total) {
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
      await sleep(25);
    }
  })();
  const js = b.jsm.jetstream();
  const start = performance.now();
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((LAG_RATE * tickMs) / 1000));
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < total; ) {
    const due = start + (i / LAG_RATE) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    for (let k = 0; k < perTick && i < total; k++, i++) {
      const e = makeEvent({ id: i, projectId: lagProject, eventTime: new Date().toISOString() });
      publishedAt[i] = performance.now();
      inflight.push(js.publish(`${b.config.subject}.${lagProject}`, JSON.stringify(e), { msgID: e.eventId }));
    }
  }
  await Promise.all(inflight);
  const sendSeconds = (performance.now() - start) / 1000;
  polling = false;
  const deadline = performance.now() + 30_000;
  while (seen < total && performance.now() < deadline) await sleep(50);
  polling = false;
  await Promise.race([poller, sleep(1000)]);
  const lags = Array.from(publishedAt, (p, i) => visibleAt[i]! - p)
    .filter((l) => l > 0)
    .sort((a, z) => a - z);
  summary[`lag p50 / p99 at ${fmt(total / sendSeconds)} events/s (ms)`] = `${fmt(percentile(lags, 50))} / ${fmt(percentile(lags, 99))}`;
  console.log(
    `lag at ${fmt(total / sendSeconds)} events/s for ${LAG_SECONDS} s: write -> visible p50 ${fmt(percentile(lags, 50))} ms, ` +
      `p99 ${fmt(percentile(lags, 99))} ms, max ${fmt(lags.at(-1) ?? NaN)} ms (${fmt(lags.length)}/${fmt(total)} seen)`,
  );

  // --- 3. direct clickhouse-client inserts of the same rows
  const lines = events.map((e) => JSON.stringify(toRow(e)));
  const file = join(tmp, 'rows.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const client = (table: string, input: string, extra = '') =>
    execFileSync('sh', [
      '-c',
      `clickhouse-client --port ${CH_TCP_PORT} --database ${database} ${extra} ` +
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
  const blocks = `--max_insert_block_size=${b.config.batchSize} --min_insert_block_size_rows=0 --min_insert_block_size_bytes=0`;
  const sameBlocks = await timed('direct_blocks', () => client('direct_blocks', file, blocks));
  const batchFiles: string[] = [];
  for (let i = 0; i < lines.length; i += b.config.batchSize) {
    const f = join(tmp, `batch-${i}.jsonl`);
    writeFileSync(f, `${lines.slice(i, i + b.config.batchSize).join('\n')}\n`);
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
  row(`one INSERT, blocks of ${b.config.batchSize} rows (as many parts as batches)`, sameBlocks);
  row(`one clickhouse-client run per ${b.config.batchSize} rows`, perBatch);
  console.log('\nsummary');
  console.table(summary);
} finally {
  if (worker) {
    worker.process.kill('SIGTERM');
    await worker.exited;
  }
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
  await ch.close();
  await b.close();
  rmSync(tmp, { recursive: true, force: true });
}
