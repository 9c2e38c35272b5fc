// The API at catalogue scale (npm run bench:scale; not a test). Needs scripts/services.sh up.
// One database grows to each size of BENCH_SCALE_SIZES (default 1,000, 100,000 and 1,000,000
// goods, loaded by `npm run seed`). At each size, requests go one at a time to the deployable
// bundle in workerd, and it prints p50/p99 of: the first page (a cache miss), a deep page (at 99 %
// of the list), create, update, reprioritize of the last good to 1 (every good moves) and to its
// priority - 1 (two move). After each move to 1 it waits until the move's events are all in
// goods_log, through the project's own ingest worker and relay, and prints how long that took and
// the Worker's peak heap during the request (its V8 isolate, read through the inspector), beside
// the workerd process's RSS growth. It ends with the 1M / 1k ratios and the targets.
// Everything runs on its own Postgres and ClickHouse databases, stream and cache namespace,
// all removed at the end.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { jetstreamManager } from '@nats-io/jetstream';
import { listCacheKeys } from '../../shared/cache-keys.ts';
import { applyClickHouseMigrations } from '../../shared/migrate/clickhouse.ts';
import { applyPostgresMigrations } from '../../shared/migrate/postgres.ts';
import { createNodePool } from '../../shared/node-postgres.ts';
import { type BundledApi, startBundledApi } from '../../scripts/lib/bundled-api.ts';
import { type Child, freePort } from '../../scripts/lib/processes.ts';
import { connectNats } from '../../worker-ingest/src/nats.ts';
import { startDeployedWorker } from '../support/worker/backends.ts';
import { databaseUrl, ROOT, testEnv, testNatsServer, testSubject } from '../support/env.ts';
import { clickHouseWriter } from '../../shared/clickhouse-writer.ts';
import { bridgeProcesses } from '../../scripts/lib/bridge-processes.ts';
import { connectWorkerHeap, type WorkerHeap } from './worker-heap.ts';
import { deleteFromJetStream } from '../support/jetstream-delete.ts';
import { reportBench } from './report.ts';

reportBench('scale');

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '1000,100000,1000000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_SCALE_REPEATS ?? 20);
const PROJECTS = 10;

const tag = randomUUID().slice(0, 8);
const database = `goods_scale_${tag}`;
const namespace = `scale-${tag}`;
const stream = `GOODS_SCALE_${tag}`;
const subject = testSubject(`scale${tag}`);
const logDir = join(ROOT, '.data/logs/bench');
mkdirSync(logDir, { recursive: true });
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const bridges = bridgeProcesses(ROOT, testEnv, logDir);
const children: Child[] = [];
let api: BundledApi | undefined;
let heap: WorkerHeap | undefined;
const adminBridge = await bridges.start('scale-admin-bridge', 'pg-ws-bridge.ts', 'PG_WS_BRIDGE_PORT');
const admin = createNodePool(databaseUrl('DIRECT_URL', 'postgres'), `127.0.0.1:${adminBridge.port}`, 1);
const direct = createNodePool(databaseUrl('DIRECT_URL', database), `127.0.0.1:${adminBridge.port}`, 1);
const clickhouse = { ...clickHouseWriter(testEnv), database: `goods_scale_${tag}` };
const ch = createClient({ url: clickhouse.url, username: clickhouse.username, password: clickhouse.password });
const nc = await connectNats(testNatsServer(), 'goods-scale-bench');
const jsm = await jetstreamManager(nc);

const results = new Map<number, Map<string, number[]>>();
const notes = new Map<number, Map<string, string>>();

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function record(size: number, name: string, ms: number): void {
  const bySize = results.get(size) ?? new Map<string, number[]>();
  results.set(size, bySize);
  bySize.set(name, [...(bySize.get(name) ?? []), ms]);
}

function note(size: number, name: string, value: string): void {
  const bySize = notes.get(size) ?? new Map<string, string>();
  notes.set(size, bySize);
  bySize.set(name, value);
}

async function timed(method: string, path: string, body?: unknown): Promise<{ ms: number; text: string }> {
  const send = () =>
    fetch(`${api!.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  let started = performance.now();
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    // A keep-alive connection the server closed while the client let it idle (through a long
    // seed): a read may go again on a new one; a write may not, as it may have arrived.
    if (method !== 'GET') throw error;
    console.log(`  ${method} ${path} failed (${String((error as Error).cause ?? error)}); sent again`);
    started = performance.now();
    response = await send();
  }
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
  return { ms, text };
}

async function lastGood(): Promise<{ id: number; project_id: number; priority: number }> {
  const { rows } = await direct.query<{ id: number; project_id: number; priority: number }>(
    'SELECT id, project_id, priority FROM goods ORDER BY sort_key DESC LIMIT 1',
  );
  return rows[0]!;
}

async function loggedMoves(): Promise<number> {
  const result = await ch.query({
    query: `SELECT count() AS n FROM ${clickhouse.database}.goods_log WHERE Kind = 'reprioritize'`,
    format: 'JSONEachRow',
  });
  return Number((await result.json<{ n: string }>())[0]?.n ?? 0);
}

/** The workerd process's resident memory now and at its peak since the last reset, in MB. */
function workerdMemory(): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${api!.pid}/status`, 'utf8');
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
function resetPeakMemory(): void {
  writeFileSync(`/proc/${api!.pid}/clear_refs`, '5');
}

async function seedTo(size: number, current: number): Promise<void> {
  execFileSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/seed.ts', '--goods', String(size - current), '--projects', String(PROJECTS)],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: {
        ...process.env,
        DIRECT_URL: databaseUrl('DIRECT_URL', database),
        UPSTASH_REDIS_REST_URL: settings.UPSTASH_REDIS_REST_URL,
        UPSTASH_REDIS_REST_TOKEN: settings.UPSTASH_REDIS_REST_TOKEN,
        CACHE_NAMESPACE: namespace,
      },
    },
  );
}

let settings: Record<string, string> = {};
let movesLogged = 0;
let failed = false;

try {
  console.log(`bench:scale: sizes ${SIZES.map(fmt).join(' / ')}, ${REPEATS} requests per figure; database ${database}`);
  await admin.query(`CREATE DATABASE ${database}`);
  await applyPostgresMigrations(direct, join(ROOT, 'migrations/postgres'));
  await applyClickHouseMigrations(clickhouse, join(ROOT, 'migrations/clickhouse'));
  const pgBridge = await bridges.start('scale-pg-ws-bridge', 'pg-ws-bridge.ts', 'PG_WS_BRIDGE_PORT');
  const rest = await bridges.start('scale-upstash-rest', 'upstash-rest.ts', 'REDIS_REST_PORT');
  settings = {
    ...testEnv,
    DATABASE_URL: databaseUrl('DATABASE_URL', database),
    PG_WS_PROXY: `127.0.0.1:${pgBridge.port}`,
    UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${rest.port}`,
    CACHE_NAMESPACE: namespace,
    NATS_SUBJECT: subject,
    CLICKHOUSE_DATABASE: clickhouse.database,
  };
  const inspectorPort = await freePort();
  api = await startBundledApi(ROOT, 0, settings, undefined, inspectorPort);
  heap = await connectWorkerHeap(inspectorPort);
  children.push(
    await startDeployedWorker(
      'scale-ingest',
      {
        stream,
        subject,
        clickhouse,
        pipeline: `goods-scale-${tag}`,
        databaseUrl: settings.DATABASE_URL!,
        pgWsProxy: settings.PG_WS_PROXY,
        consumer: 'goods-scale',
      },
      logDir,
    ),
  );

  // Unrecorded: the first requests of a fresh Worker and pool pay for compiling and connecting.
  for (let i = 0; i < 30; i++) {
    await timed('GET', `/goods/list?limit=5&offset=${1 + i}`);
    await timed('POST', '/goods/create?projectId=1', { name: `warm-up ${i}` });
  }
  let current = 30;
  for (const size of SIZES) {
    console.log(`\n--- ${fmt(size)} goods`);
    await seedTo(size, current);
    current = size;

    for (let i = 0; i < REPEATS; i++) {
      // A limit no earlier request used: every first page is a miss.
      record(size, 'first page (miss)', (await timed('GET', `/goods/list?limit=${10 + (i % 90)}&offset=1&r=${i}`)).ms);
      const deep = Math.floor(size * 0.99) + i;
      record(size, 'deep page (miss)', (await timed('GET', `/goods/list?limit=10&offset=${deep}`)).ms);
    }
    for (let i = 0; i < REPEATS; i++) record(size, 'create', (await timed('POST', '/goods/create?projectId=1', { name: `scale ${i}` })).ms);
    for (let i = 0; i < REPEATS; i++) {
      const id = 1 + Math.floor(Math.random() * size);
      const { rows } = await direct.query<{ project_id: number }>('SELECT project_id FROM goods WHERE id = $1', [id]);
      record(
        size,
        'update',
        (await timed('PATCH', `/goods/update?id=${id}&projectId=${rows[0]!.project_id}`, { name: `renamed ${i}` })).ms,
      );
    }
    for (let i = 0; i < REPEATS; i++) {
      const last = await lastGood();
      const moved = await timed('PATCH', `/goods/reprioritize?id=${last.id}&projectId=${last.project_id}`, {
        newPriority: last.priority - 1,
      });
      record(size, 'reprioritize to p - 1', moved.ms);
      movesLogged += (JSON.parse(moved.text) as { priorities: unknown[] }).priorities.length;
    }

    const toTop = size >= 1_000_000 ? 3 : size >= 100_000 ? 5 : REPEATS;
    for (let i = 0; i < toTop; i++) {
      const last = await lastGood();
      const before = workerdMemory();
      resetPeakMemory();
      const watching = await heap!.watch();
      const moved = await timed('PATCH', `/goods/reprioritize?id=${last.id}&projectId=${last.project_id}`, { newPriority: 1 });
      const answered = performance.now();
      const heapPeak = await watching.stop();
      const peak = workerdMemory().peakMb - before.rssMb;
      record(size, 'reprioritize to 1', moved.ms);
      record(size, 'Worker heap peak over idle, MB', heapPeak);
      record(size, 'workerd RSS peak over idle, MB', peak);
      const count = (moved.text.match(/"priority"/g) ?? []).length;
      movesLogged += count;
      // Every move so far is logged once: wait for this one's events to be all there.
      for (;;) {
        const logged = await loggedMoves();
        if (logged >= movesLogged) {
          record(size, 'events of a move to 1 in goods_log, s', (performance.now() - answered) / 1000);
          if (logged > movesLogged) note(size, 'repeats', `${logged - movesLogged} rows more than moves`);
          break;
        }
        if (performance.now() - answered > 300_000) throw new Error(`only ${logged} of ${movesLogged} moves logged after 300 s`);
        await sleep(250);
      }
      console.log(
        `  move to 1: ${fmt(count)} goods, answered in ${(moved.ms / 1000).toFixed(2)} s, events in goods_log ${((performance.now() - answered) / 1000).toFixed(1)} s later; Worker heap +${heapPeak.toFixed(1)} MB (workerd RSS +${peak.toFixed(0)} MB)`,
      );
    }
  }

  const names = [...results.get(SIZES[0]!)!.keys()];
  const table: Record<string, Record<string, string>> = {};
  for (const name of names) {
    const row: Record<string, string> = {};
    for (const size of SIZES) {
      const values = results.get(size)?.get(name) ?? [];
      row[`${fmt(size)} p50`] = percentile(values, 50).toFixed(1);
      row[`${fmt(size)} p99`] = percentile(values, 99).toFixed(1);
    }
    table[name.endsWith(', s') || name.endsWith(', MB') ? name : `${name}, ms`] = row;
  }
  console.log('\nFigures (p50 / p99; one request at a time):');
  console.table(table);

  const small = SIZES[0]!;
  const large = SIZES[SIZES.length - 1]!;
  const p50 = (size: number, name: string) => percentile(results.get(size)?.get(name) ?? [], 50);
  const max = (size: number, name: string) => Math.max(...(results.get(size)?.get(name) ?? [Number.NaN]));
  console.log(`\nRatios, ${fmt(large)} / ${fmt(small)} goods (p50):`);
  for (const name of names.filter((n) => !n.includes(',')))
    console.log(`  ${name.padEnd(24)} ${(p50(large, name) / p50(small, name)).toFixed(2)}`);

  const targets: [string, string, string, boolean][] = [
    [
      `reprioritize of ${fmt(large)} goods to 1, slowest`,
      `${(max(large, 'reprioritize to 1') / 1000).toFixed(2)} s`,
      '<= 15 s',
      max(large, 'reprioritize to 1') <= 15_000,
    ],
    [
      'all its events in goods_log, slowest',
      `${max(large, 'events of a move to 1 in goods_log, s').toFixed(1)} s`,
      '<= 60 s',
      max(large, 'events of a move to 1 in goods_log, s') <= 60,
    ],
    [
      `events of a move to 1 at ${fmt(small)} goods in goods_log, p50`,
      `${p50(small, 'events of a move to 1 in goods_log, s').toFixed(2)} s`,
      '<= 1 s',
      p50(small, 'events of a move to 1 in goods_log, s') <= 1,
    ],
    [
      `deep page / first page at ${fmt(large)}`,
      (p50(large, 'deep page (miss)') / p50(large, 'first page (miss)')).toFixed(2),
      '<= 2',
      p50(large, 'deep page (miss)') / p50(large, 'first page (miss)') <= 2,
    ],
    [
      `create p50 at ${fmt(large)} / at ${fmt(small)}`,
      (p50(large, 'create') / p50(small, 'create')).toFixed(2),
      '<= 1.5',
      p50(large, 'create') / p50(small, 'create') <= 1.5,
    ],
    [
      'Worker heap peak over idle during a move to 1, largest',
      `${max(large, 'Worker heap peak over idle, MB').toFixed(1)} MB`,
      '< 128 MB',
      max(large, 'Worker heap peak over idle, MB') < 128,
    ],
  ];
  console.log('\nTargets:');
  for (const [name, value, goal, met] of targets)
    console.log(`  ${name.padEnd(52)} ${value.padStart(9)}   goal ${goal.padEnd(8)} ${met ? 'met' : 'MISSED'}`);
  for (const [size, byName] of notes) for (const [name, value] of byName) console.log(`  note at ${fmt(size)}: ${name}: ${value}`);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  heap?.close();
  await api?.stop().catch(() => undefined);
  for (const child of children.reverse()) await child.stop().catch(() => undefined);
  await deleteFromJetStream(`stream ${stream}`, () => jsm.streams.delete(stream), { mayBeAbsent: true });
  await nc.close();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${clickhouse.database}` }).catch(() => undefined);
  await ch.close();
  try {
    execFileSync('redis-cli', ['-p', testEnv.REDIS_PORT!, 'DEL', listCacheKeys(namespace).generation], { stdio: 'ignore' });
  } catch {
    // Redis gone: nothing to clean
  }
  await direct.end().catch(() => undefined);
  // Autovacuum may still be at work on the moved rows, and only a superuser may end it: retry.
  for (let attempt = 1; attempt <= 30; attempt++) {
    const error = await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!error) break;
    if (attempt === 30) console.error(`could not drop ${database}: ${error}`);
    else await sleep(1000);
  }
  await admin.end();
  await bridges.stopAll();
}
process.exitCode = failed ? 1 : 0;
