// The list cache under a mixed load (npm run bench:cache; not a test). Needs scripts/services.sh up.
// The deployable bundle in workerd with its ingest worker, as `npm start` runs them, on a
// catalogue of SEEDED goods. CLIENTS clients each repeat one request at a time for
// BENCH_CACHE_SECONDS (default 15) per row: a list of one of the first PAGES pages (limit 10), or,
// with the row's share, a write (half creates, half updates of goods on those pages). Per row it
// prints req/s, the lists' hit ratio (x-cache) and their p50/p99, then each process's CPU per
// request, the targets, and last
// `cache: hit ratio <r1> at 1 % writes, <r10> at 10 % writes`. Everything runs on its own
// database, ClickHouse database, stream and cache namespace, all removed at the end.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { jetstreamManager } from '@nats-io/jetstream';
import { type BundledApi, startBundledApi } from '../../scripts/lib/bundled-api.ts';
import { bridgeProcesses } from '../../scripts/lib/bridge-processes.ts';
import { type Child, freePort } from '../../scripts/lib/processes.ts';
import { clickHouseWriter } from '../../shared/clickhouse-writer.ts';
import { applyClickHouseMigrations } from '../../shared/migrate/clickhouse.ts';
import { applyPostgresMigrations } from '../../shared/migrate/postgres.ts';
import { createNodePool } from '../../shared/node-postgres.ts';
import { connectNats } from '../../worker-ingest/src/nats.ts';
import { databaseUrl, ROOT, testEnv, testNatsServer, testSubject } from '../support/env.ts';
import { deleteFromJetStream } from '../support/jetstream-delete.ts';
import { startDeployedWorker } from '../support/worker/backends.ts';
import { byName, byPid, type CpuMeter, startCpu } from './cpu.ts';
import { reportBench } from './report.ts';
import { profileWorker } from './worker-profile.ts';
import { connectInspector } from '../support/inspector.ts';

reportBench('cache');

const SECONDS = Number(process.env.BENCH_CACHE_SECONDS ?? 15);
const WARM_UP_SECONDS = Number(process.env.BENCH_CACHE_WARM_UP_SECONDS ?? 3);
const CLIENTS = 16;
const PAGES = 5;
const LIMIT = 10;
const SEEDED = 1_000;
const WRITE_SHARES = [0, 0.01, 0.1, 0.5];
/** BENCH_CACHE_PROFILE=1: also profiles the Worker's isolate during the 10 % row. */
const PROFILE = process.env.BENCH_CACHE_PROFILE === '1';

const tag = randomUUID().slice(0, 8);
const database = `goods_cache_${tag}`;
const namespace = `cache-${tag}`;
const stream = `GOODS_CACHE_${tag}`;
const subject = testSubject(`cache${tag}`);
const logDir = join(ROOT, '.data/logs/bench');
mkdirSync(logDir, { recursive: true });

interface Row {
  share: number;
  rps: number;
  lists: number;
  hits: number;
  p50: number;
  p99: number;
  failed: number;
  /** CPU ms per request, by process. */
  cpu: Map<string, number>;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

/** One request of the mix: a list of a random first page, or with `share` a write on those pages. */
async function request(base: string, share: number, row: { lists: number[]; hits: number; failed: number; requests: number }) {
  const roll = Math.random();
  let response: Response;
  if (roll < share / 2) {
    response = await fetch(`${base}/goods/create?projectId=1`, { method: 'POST', body: '{"name":"bench"}' });
  } else if (roll < share) {
    const id = 1 + Math.floor(Math.random() * PAGES * LIMIT);
    response = await fetch(`${base}/goods/update?id=${id}&projectId=1`, { method: 'PATCH', body: `{"name":"bench ${roll}"}` });
  } else {
    const offset = 1 + LIMIT * Math.floor(Math.random() * PAGES);
    const started = performance.now();
    response = await fetch(`${base}/goods/list?limit=${LIMIT}&offset=${offset}`);
    await response.arrayBuffer();
    row.lists.push(performance.now() - started);
    if (response.headers.get('x-cache') === 'hit') row.hits++;
  }
  if (!response.bodyUsed) await response.arrayBuffer();
  if (response.status !== 200) row.failed++;
  row.requests++;
}

async function drive(base: string, share: number, seconds: number, meters: CpuMeter[] = []): Promise<Row> {
  const row = { lists: [] as number[], hits: 0, failed: 0, requests: 0 };
  const cpu = startCpu(meters);
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) await request(base, share, row);
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const sorted = row.lists.sort((a, b) => a - b);
  return {
    share,
    rps: row.requests / elapsed,
    lists: sorted.length,
    hits: row.hits,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    failed: row.failed,
    cpu: new Map([...cpu()].map(([name, ms]) => [name, ms / row.requests])),
  };
}

const bridges = bridgeProcesses(ROOT, testEnv, logDir);
const children: Child[] = [];
let api: BundledApi | undefined;
const adminBridge = await bridges.start('cache-admin-bridge', 'pg-ws-bridge.ts', 'PG_WS_BRIDGE_PORT');
const admin = createNodePool(databaseUrl('DIRECT_URL', 'postgres'), `127.0.0.1:${adminBridge.port}`, 1);
const direct = createNodePool(databaseUrl('DIRECT_URL', database), `127.0.0.1:${adminBridge.port}`, 1);
const clickhouse = { ...clickHouseWriter(testEnv), database: `goods_cache_${tag}` };
const ch = createClient({ url: clickhouse.url, username: clickhouse.username, password: clickhouse.password });
const nc = await connectNats(testNatsServer(), 'goods-cache-bench');
const jsm = await jetstreamManager(nc);
let failed = false;

try {
  console.log(
    `bench:cache: ${CLIENTS} clients, ${SECONDS} s per row, lists of the first ${PAGES} pages (limit ${LIMIT}) of ${SEEDED} goods`,
  );
  await admin.query(`CREATE DATABASE ${database}`);
  await applyPostgresMigrations(direct, join(ROOT, 'migrations/postgres'));
  await applyClickHouseMigrations(clickhouse, join(ROOT, 'migrations/clickhouse'));
  await direct.query(`INSERT INTO goods (project_id, name) SELECT 1, 'seeded ' || n FROM generate_series(1, ${SEEDED}) n`);
  const pgBridge = await bridges.start('cache-pg-ws-bridge', 'pg-ws-bridge.ts', 'PG_WS_BRIDGE_PORT');
  const rest = await bridges.start('cache-upstash-rest', 'upstash-rest.ts', 'REDIS_REST_PORT');
  const settings: Record<string, string> = {
    ...testEnv,
    DATABASE_URL: databaseUrl('DATABASE_URL', database),
    PG_WS_PROXY: `127.0.0.1:${pgBridge.port}`,
    UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${rest.port}`,
    CACHE_NAMESPACE: namespace,
    NATS_SUBJECT: subject,
    CLICKHOUSE_DATABASE: clickhouse.database,
  };
  const inspectorPort = PROFILE ? await freePort() : undefined;
  api = await startBundledApi(ROOT, 0, settings, undefined, inspectorPort);
  const worker = await startDeployedWorker(
    'cache-ingest',
    {
      stream,
      subject,
      clickhouse,
      pipeline: `goods-cache-${tag}`,
      databaseUrl: settings.DATABASE_URL!,
      pgWsProxy: settings.PG_WS_PROXY,
      consumer: 'goods-cache',
    },
    logDir,
    {
      UPSTASH_REDIS_REST_URL: settings.UPSTASH_REDIS_REST_URL!,
      UPSTASH_REDIS_REST_TOKEN: settings.UPSTASH_REDIS_REST_TOKEN!,
      CACHE_NAMESPACE: namespace,
    },
  );
  children.push(worker);

  // Unrecorded: a fresh Worker and pool pay for compiling and connecting.
  await drive(api.url, 0.1, WARM_UP_SECONDS);

  const meters = [
    byPid('workerd (the Worker)', api.pid ?? 0),
    byPid('bridge: Postgres WebSocket', pgBridge.pid),
    byPid('bridge: Upstash REST', rest.pid),
    byPid('ingest worker', worker.process.pid!),
    ...['postgres', 'pgbouncer', 'redis-server', 'nats-server', 'clickhouse-server'].map(byName),
  ];
  console.log('\n| writes | req/s | list hit ratio | list p50 / p99 | failed |');
  console.log('|---|---|---|---|---|');
  const rows = new Map<number, Row>();
  let profile: string[] = [];
  for (const share of WRITE_SHARES) {
    const run = () => drive(api!.url, share, SECONDS, meters);
    let row: Row;
    if (PROFILE && share === 0.1) {
      const inspector = await connectInspector(inspectorPort!);
      const file = join(logDir, 'cache-worker.cpuprofile');
      const profiled = await profileWorker(inspector, file, run);
      inspector.close();
      row = profiled.result;
      profile = [`Worker CPU profile of the 10 % row (${file}), self time:`, ...profiled.top];
    } else {
      row = await run();
    }
    rows.set(share, row);
    console.log(
      `| ${share * 100} % | ${row.rps.toFixed(0)} | ${(row.hits / row.lists).toFixed(3)} | ${row.p50.toFixed(0)} / ${row.p99.toFixed(0)} ms | ${row.failed} |`,
    );
  }

  // Where the time goes: with every process on the same cores, a list waits behind the CPU that
  // the writes beside it use, wherever they use it.
  console.log('\nCPU ms per request, by process:');
  console.log(`| process | ${WRITE_SHARES.map((s) => `${s * 100} %`).join(' | ')} |`);
  console.log(`|---|${WRITE_SHARES.map(() => '---|').join('')}`);
  for (const name of rows.get(0)!.cpu.keys())
    console.log(`| ${name} | ${WRITE_SHARES.map((s) => rows.get(s)!.cpu.get(name)!.toFixed(2)).join(' | ')} |`);

  if (profile.length > 0) console.log(`\n${profile.join('\n')}`);

  const ratio = (share: number) => rows.get(share)!.hits / rows.get(share)!.lists;
  const slowdown = rows.get(0.1)!.p50 / rows.get(0)!.p50;
  const targets: [string, string, string, boolean][] = [
    ['hit ratio at 1 % writes', ratio(0.01).toFixed(3), '>= 0.98', ratio(0.01) >= 0.98],
    ['hit ratio at 10 % writes', ratio(0.1).toFixed(3), '>= 0.9', ratio(0.1) >= 0.9],
    ['list p50 at 10 % writes / read-only list p50', slowdown.toFixed(2), '<= 1.2', slowdown <= 1.2],
    [
      'failed requests',
      String([...rows.values()].reduce((sum, r) => sum + r.failed, 0)),
      '0',
      [...rows.values()].every((r) => r.failed === 0),
    ],
  ];
  console.log('\nTargets:');
  for (const [name, value, goal, met] of targets)
    console.log(`  ${name.padEnd(46)} ${value.padStart(7)}   goal ${goal.padEnd(8)} ${met ? 'met' : 'MISSED'}`);
  console.log(`cache: hit ratio ${ratio(0.01).toFixed(3)} at 1 % writes, ${ratio(0.1).toFixed(3)} at 10 % writes`);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await api?.stop().catch(() => undefined);
  for (const child of children.reverse()) await child.stop().catch(() => undefined);
  await deleteFromJetStream(`stream ${stream}`, () => jsm.streams.delete(stream), { mayBeAbsent: true });
  await nc.close();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${clickhouse.database}` }).catch(() => undefined);
  await ch.close();
  try {
    const keys = execFileSync('redis-cli', ['-p', testEnv.REDIS_PORT!, '--scan', '--pattern', `${namespace}:*`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    for (let i = 0; i < keys.length; i += 500) {
      execFileSync('redis-cli', ['-p', testEnv.REDIS_PORT!, 'DEL', ...keys.slice(i, i + 500)], { stdio: 'ignore' });
    }
  } catch {
    // Redis gone: nothing to clean
  }
  await direct.end().catch(() => undefined);
  await admin
    .query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    .catch((error) => console.error(`could not drop ${database}: ${error}`));
  await admin.end();
  await bridges.stopAll();
}
process.exitCode = failed ? 1 : 0;
