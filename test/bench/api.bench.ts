// HTTP benchmark of the API (npm run bench:api; not a test). Needs scripts/services.sh up.
// autocannon drives each endpoint for BENCH_SECONDS (default 5) at 1, 16 and 64 connections:
//  - the deployable bundle in workerd through Miniflare (as the tests serve it), pooled;
//  - the same bundle with DATABASE_URL straight to Postgres (no pooler), for the writes;
//  - a bare floor Worker (test/bench/floor-worker.ts) through the same clients and bridges;
//  - `wrangler dev` (what `npm start` runs), whose own proxy and CLI cost CPU of their own.
// It prints rps, p50 and p99 and non-2xx per endpoint, where the CPU went per request, and the
// ratios the pooler is judged by; beside the c=1 create ratio, what its audit publish and its
// SQL (pgbench at the same pace) add to the floor. Everything runs on its own database, cache
// namespace, stream and ports, all removed at the end.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { jetstreamManager } from '@nats-io/jetstream';
import { createLog } from '../../shared/log.ts';
import { listCacheKeys } from '../../shared/cache-keys.ts';
import { startBundledApi, type BundledApi } from '../../scripts/lib/bundled-api.ts';
import { applyPostgresMigrations } from '../../shared/migrate/postgres.ts';
import { type Child, freePort, spawnChild, waitForHttp } from '../../scripts/lib/processes.ts';
import { bridgeProcesses } from '../../scripts/lib/bridge-processes.ts';
import { DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_STREAM_MAX_BYTES } from '../../worker-ingest/src/config.ts';
import { connectNats, ensureStream } from '../../worker-ingest/src/nats.ts';
import { createNodePool } from '../../shared/node-postgres.ts';
import { byGroup, byName, byPid, type CpuMeter, startCpu } from './cpu.ts';
import { databaseUrl, ROOT, testEnv, testNatsServer, testSubject } from '../support/env.ts';
import { deleteFromJetStream } from '../support/jetstream-delete.ts';
import { reportBench } from './report.ts';

reportBench('api');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LEVELS = [1, 16, 64];
const SEEDED = 2_000;
const PAIRS = Number(process.env.BENCH_PAIRS ?? 5);
/** Each run of a ratio's pairs: short, so that both runs of a pair meet the same machine. */
const PAIR_SECONDS = Number(process.env.BENCH_PAIR_SECONDS ?? 2);

const tag = randomUUID().slice(0, 8);
const database = `goods_bench_${tag}`;
const logDir = join(ROOT, '.data/logs/bench');
mkdirSync(logDir, { recursive: true });

interface Endpoint {
  name: string;
  method: 'GET' | 'POST' | 'PATCH';
  path: (n: number) => string;
  body?: string;
}

const endpoints: Record<string, Endpoint> = {
  create: { name: 'create', method: 'POST', path: () => '/goods/create?projectId=1', body: '{"name":"bench"}' },
  update: {
    name: 'update',
    method: 'PATCH',
    path: () => `/goods/update?id=${1 + Math.floor(Math.random() * SEEDED)}&projectId=1`,
    body: '{"name":"bench-renamed"}',
  },
  // A page no earlier request asked for: every one a miss.
  listMiss: {
    name: 'list (miss)',
    method: 'GET',
    path: (n) => `/goods/list?limit=${10 + Math.floor(n / SEEDED)}&offset=${1 + (n % SEEDED)}`,
  },
  listHit: { name: 'list (hit)', method: 'GET', path: () => '/goods/list?limit=10&offset=1' },
  writeFloor: { name: 'write floor', method: 'GET', path: () => '/write-floor' },
  publishedFloor: { name: 'write floor + publish', method: 'GET', path: () => '/published-write-floor' },
  cachedFloor: { name: 'cached floor', method: 'GET', path: () => '/cached-floor' },
};

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  requests: number;
  cpu: Map<string, number>;
}

let counter = 0;
async function drive(base: string, endpoint: Endpoint, connections: number, seconds: number, meters: CpuMeter[]): Promise<Figures> {
  const cpu = startCpu(meters);
  const result = await autocannon({
    url: base,
    connections,
    duration: seconds,
    requests: [
      {
        method: endpoint.method,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, path: endpoint.path(counter++), body: endpoint.body }),
      },
    ],
  });
  const requests = result['2xx'] + result.non2xx;
  return {
    rps: requests / (result.duration || seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
    requests,
    cpu: cpu(),
  };
}

const median = (values: number[]) => [...values].sort((p, q) => p - q)[Math.floor(values.length / 2)]!;

/** Requests in a row to one target before the next takes its turn (see sequentialP50s). */
const TURN = 20;

/**
 * The exact median latency of requests sent one after another, to each target in turns of TURN
 * requests for `seconds` per target in all: the machine's speed drifts by tens of percent within
 * seconds here, and turns this short let every target meet the same drift.
 */
async function sequentialP50s(targets: [string, Endpoint][], seconds: number): Promise<number[]> {
  const latencies = targets.map((): number[] => []);
  const until = performance.now() + seconds * 1000 * targets.length;
  while (performance.now() < until) {
    for (const [i, [base, endpoint]] of targets.entries()) {
      for (let n = 0; n < TURN; n++) {
        const started = performance.now();
        const response = await fetch(new URL(endpoint.path(counter++), base), {
          method: endpoint.method,
          headers: { 'content-type': 'application/json' },
          body: endpoint.body,
        });
        await response.arrayBuffer();
        latencies[i]!.push(performance.now() - started);
      }
    }
  }
  return latencies.map(median);
}

/**
 * The median latency of each of `scripts` (one SQL statement each) run by pgbench through `url`
 * (PgBouncer): one client, `rate` transactions/s in all, the scripts drawn at random in turn.
 */
function pgbenchP50s(url: string, scripts: string[], rate: number): number[] {
  const dir = mkdtempSync(join(logDir, 'pgbench-'));
  const files = scripts.map((sql, i) => {
    const file = join(dir, `script-${i}.sql`);
    writeFileSync(file, sql);
    return file;
  });
  const { hostname, port, username, password, pathname } = new URL(url);
  const args = ['-n', '-M', 'extended', '-c', '1', '-T', String(SECONDS), '-R', String(rate), '-l', `--log-prefix=${join(dir, 'log')}`];
  execFileSync(join(postgresBin(), 'pgbench'), [...args, ...files.flatMap((file) => ['-f', file])], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, PGHOST: hostname, PGPORT: port, PGUSER: username, PGPASSWORD: password, PGDATABASE: pathname.slice(1) },
  });
  // One line per transaction: client, transaction, latency (µs), script, epoch s, µs, schedule lag.
  const log = readdirSync(dir).find((name) => name.startsWith('log.'));
  if (!log) throw new Error(`pgbench wrote no transaction log in ${dir}`);
  const latencies = scripts.map((): number[] => []);
  for (const line of readFileSync(join(dir, log), 'utf8').trim().split('\n')) {
    const [, , micros, script] = line.split(' ').map(Number);
    latencies[script!]!.push(micros! / 1000);
  }
  rmSync(dir, { recursive: true, force: true });
  return latencies.map(median);
}

/** The newest Debian PostgreSQL's binaries, as scripts/services.sh finds them. */
function postgresBin(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
  return join('/usr/lib/postgresql', versions.at(-1)!, 'bin');
}

const pad = (text: string | number, width: number) => String(text).padStart(width);
function printHeader(title: string): void {
  console.log(`\n${title}`);
  console.log(`${'endpoint'.padEnd(22)}${pad('conns', 6)}${pad('rps', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('non-2xx', 9)}`);
}
function printRow(name: string, connections: number, f: Figures): void {
  console.log(
    `${name.padEnd(22)}${pad(connections, 6)}${pad(f.rps.toFixed(0), 9)}${pad(f.p50.toFixed(1), 9)}${pad(f.p99.toFixed(1), 9)}${pad(f.non2xx, 9)}`,
  );
}

/** Runs `endpoints` at every level against `base`, after a short warm-up, and prints them. */
async function section(title: string, base: string, list: Endpoint[], meters: CpuMeter[], levels = LEVELS) {
  printHeader(title);
  const figures = new Map<string, Map<number, Figures>>();
  for (const endpoint of list) {
    await drive(base, endpoint, 16, 2, meters); // warm-up
    const byLevel = new Map<number, Figures>();
    for (const connections of levels) {
      const f = await drive(base, endpoint, connections, SECONDS, meters);
      byLevel.set(connections, f);
      printRow(endpoint.name, connections, f);
    }
    figures.set(endpoint.name, byLevel);
  }
  return figures;
}

function printCpu(title: string, f: Figures): void {
  const parts = [...f.cpu].filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]);
  const total = parts.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`  ${title}: ${(total / f.requests).toFixed(2)} ms CPU per request`);
  for (const [name, ms] of parts)
    console.log(`    ${name.padEnd(34)}${pad((ms / f.requests).toFixed(2), 7)} ms  ${pad(((100 * ms) / total).toFixed(0), 3)} %`);
}

// ------------------------------------------------------------------ set-up
const admin = createNodePool(databaseUrl('DIRECT_URL', 'postgres'), `127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}`, 1);
const apis: BundledApi[] = [];
const nc = await connectNats(testNatsServer(), 'goods-bench');
const jsm = await jetstreamManager(nc);
const stream = `GOODS_BENCH_${tag}`;

const children: Child[] = [];
const bridgeChildren = bridgeProcesses(ROOT, testEnv, logDir);
const startBridge = bridgeChildren.start;

try {
  console.log(`bench:api: ${SECONDS} s per run, connections ${LEVELS.join('/')}; database ${database}`);
  // Run beside the test bridges, so the tests' own bridge can reach the postgres database.
  const bridgeCheck = await fetch(`http://127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}/stats`).catch(() => undefined);
  if (!bridgeCheck) await startBridge('admin-bridge', 'pg-ws-bridge.ts', 'PG_WS_BRIDGE_PORT', Number(testEnv.TEST_PG_WS_BRIDGE_PORT));
  await admin.query(`CREATE DATABASE ${database}`);
  const migrator = createNodePool(databaseUrl('DIRECT_URL', database), `127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}`, 1);
  await applyPostgresMigrations(migrator, join(ROOT, 'migrations/postgres'));
  await migrator.query(`INSERT INTO goods (project_id, name) SELECT 1, 'seeded ' || n FROM generate_series(1, ${SEEDED}) n`);
  await migrator.end();

  const pgBridge = await startBridge('pg-ws-bridge', 'pg-ws-bridge.ts', 'PG_WS_BRIDGE_PORT');
  const rest = await startBridge('upstash-rest', 'upstash-rest.ts', 'REDIS_REST_PORT');
  const subject = testSubject(`bench${tag}`);
  await ensureStream(
    jsm,
    { name: stream, subject, maxBytes: DEFAULT_STREAM_MAX_BYTES, duplicateWindowMs: DEFAULT_DUPLICATE_WINDOW_MS },
    createLog(),
  );
  const settings: Record<string, string> = {
    ...testEnv,
    DATABASE_URL: databaseUrl('DATABASE_URL', database),
    PG_WS_PROXY: `127.0.0.1:${pgBridge.port}`,
    UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${rest.port}`,
    CACHE_NAMESPACE: `bench-${tag}`,
    NATS_SUBJECT: subject,
  };

  const pooled = await startBundledApi(ROOT, 0, settings);
  const direct = await startBundledApi(ROOT, 0, { ...settings, DATABASE_URL: databaseUrl('DIRECT_URL', database) });
  const floor = await startBundledApi(ROOT, 0, settings, join(ROOT, 'test/bench/floor.wrangler.toml'));
  apis.push(pooled, direct, floor);
  // The cached floor reads a page as large as the list's first page.
  const firstPage = await (await fetch(`${pooled.url}/goods/list?limit=10&offset=1`)).text();
  execFileSync('redis-cli', ['-p', testEnv.REDIS_PORT!, 'SET', `bench-${tag}:floor-page`, firstPage]);

  const services = [byName('postgres'), byName('pgbouncer'), byName('redis-server'), byName('nats-server')];
  const bridges = [byPid('bridge: Postgres WebSocket', pgBridge.pid), byPid('bridge: Upstash REST', rest.pid)];
  const meters = (api: BundledApi) => [byPid('workerd (the Worker)', api.pid ?? 0), ...bridges, ...services];

  const main = await section(
    'API: deployable bundle in workerd (Miniflare), through PgBouncer',
    pooled.url,
    [endpoints.create!, endpoints.update!, endpoints.listMiss!, endpoints.listHit!],
    meters(pooled),
  );
  const floors = await section(
    'Floors: a bare Worker, same clients and bridges',
    floor.url,
    [endpoints.writeFloor!, endpoints.publishedFloor!, endpoints.cachedFloor!],
    meters(floor),
  );
  const unpooled = await section(
    'Without the pooler: DATABASE_URL straight to Postgres',
    direct.url,
    [endpoints.create!, endpoints.listMiss!],
    meters(direct),
  );

  // wrangler dev, as `npm start` runs it
  const devPort = await freePort();
  const envFile = join(logDir, 'bench.env');
  writeFileSync(
    envFile,
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  );
  const wrangler = spawnChild(
    'wrangler',
    join(ROOT, 'node_modules/.bin/wrangler'),
    [
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(devPort),
      '--inspector-port',
      String(await freePort()),
      '--show-interactive-dev-session=false',
      '--env-file',
      envFile,
    ],
    { env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, cwd: ROOT, logFile: join(logDir, 'wrangler.log') },
  );
  children.push(wrangler);
  const devUrl = `http://127.0.0.1:${devPort}`;
  await waitForHttp(`${devUrl}/goods/list`, 60_000);
  const dev = await section(
    'API under `wrangler dev` (its CLI, proxy and workerd in one group)',
    devUrl,
    [endpoints.create!, endpoints.listHit!],
    [byGroup('wrangler dev (CLI + proxy + workerd)', wrangler.process.pid!), ...bridges, ...services],
  );

  console.log('\nWhere the CPU went (c=16, bundle; the bridges are local stand-ins that production does not run):');
  printCpu('create', main.get('create')!.get(16)!);
  printCpu('list (miss)', main.get('list (miss)')!.get(16)!);
  printCpu('list (hit)', main.get('list (hit)')!.get(16)!);
  printCpu('write floor', floors.get('write floor')!.get(16)!);
  printCpu('write floor + publish', floors.get('write floor + publish')!.get(16)!);
  printCpu('cached floor', floors.get('cached floor')!.get(16)!);
  printCpu('create under wrangler dev', dev.get('create')!.get(16)!);
  printCpu('create without the pooler', unpooled.get('create')!.get(16)!);

  // Each ratio from back-to-back pairs of short runs, PAIRS times over (median), the order
  // swapped every other pair: the machine's speed drifts between sections and within seconds,
  // and a ratio of two runs minutes apart would measure that drift.
  console.log(`\nRatios (median of ${PAIRS} back-to-back pairs of ${PAIR_SECONDS} s runs):`);
  const pairs = async (a: [string, Endpoint], b: [string, Endpoint], connections: number, figure: (f: Figures) => number) => {
    const ratios: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
      const x = await drive(first[0], first[1], connections, PAIR_SECONDS, []);
      const y = await drive(second[0], second[1], connections, PAIR_SECONDS, []);
      ratios.push(i % 2 === 0 ? figure(x) / figure(y) : figure(y) / figure(x));
    }
    return median(ratios);
  };
  const ratio = (label: string, value: number, target: string, ok: boolean) =>
    console.log(`${label.padEnd(62)}${pad(value.toFixed(2), 7)}  (target ${target})  ${ok ? 'met' : 'MISSED'}`);
  const note = (label: string, value: number) => console.log(`${label.padEnd(62)}${pad(value.toFixed(2), 7)}  (no target)`);
  const gain = await pairs([pooled.url, endpoints.create!], [direct.url, endpoints.create!], 16, (f) => f.rps);
  ratio('create rps at c=16, pooled / without the pooler', gain, '>= 3', gain >= 3);
  // autocannon reports latency in whole milliseconds, too coarse for a 2-4 ms floor: the c=1
  // p50 ratio comes from one client timing each request itself. The floor with the audit publish
  // every write makes after its answer shows how much of the gap that publish is.
  const overFloor: number[] = [];
  const overPublished: number[] = [];
  const creates: number[] = [];
  const writes: number[] = [];
  const publisheds: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const [create, write, published] = (await sequentialP50s(
      [
        [pooled.url, endpoints.create!],
        [floor.url, endpoints.writeFloor!],
        [floor.url, endpoints.publishedFloor!],
      ],
      PAIR_SECONDS,
    )) as [number, number, number];
    console.log(
      `  c=1 p50: create ${create.toFixed(2)} ms, write floor ${write.toFixed(2)} ms, write floor + publish ${published.toFixed(2)} ms`,
    );
    overFloor.push(create / write);
    overPublished.push(create / published);
    creates.push(create);
    writes.push(write);
    publisheds.push(published);
  }
  // What Postgres alone adds to a create at that pace: a durable insert (the function, its
  // triggers, the commit's WAL flush) against `SELECT 1`, with the idle gaps of a c=1 client.
  const pace = Math.round(1000 / median(creates));
  const [selectOne, goodsCreate] = pgbenchP50s(settings.DATABASE_URL!, ['SELECT 1;', "SELECT goods_create(1, 'pgbench', '');"], pace) as [
    number,
    number,
  ];
  console.log(
    `  Postgres alone, one client at ${pace}/s (pgbench through PgBouncer, p50): SELECT 1 ${selectOne.toFixed(2)} ms, goods_create ${goodsCreate.toFixed(2)} ms`,
  );
  const least = (median(publisheds) + goodsCreate - selectOne) / median(writes);
  ratio('create p50 at c=1 / write floor p50', median(overFloor), '<= 1.3', median(overFloor) <= 1.3);
  note('create p50 at c=1 / write floor + publish p50', median(overPublished));
  note('least a create can take: floor + publish + its SQL, / floor', least);
  for (const c of [16, 64]) {
    const cached = await pairs([pooled.url, endpoints.listHit!], [floor.url, endpoints.cachedFloor!], c, (f) => f.rps);
    ratio(`cached list rps at c=${c} / cached floor rps`, cached, '>= 0.9', cached >= 0.9);
  }
} finally {
  try {
    execFileSync(
      'redis-cli',
      ['-p', testEnv.REDIS_PORT!, 'DEL', listCacheKeys(`bench-${tag}`).generation, `bench-${tag}:floor`, `bench-${tag}:floor-page`],
      { stdio: 'ignore' },
    );
  } catch {
    // Redis gone: nothing to clean
  }
  for (const api of apis) await api.stop().catch(() => undefined);
  await deleteFromJetStream(`stream ${stream}`, () => jsm.streams.delete(stream), { mayBeAbsent: true });
  await nc.close();
  await admin
    .query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    .catch((error) => console.error(`could not drop ${database}: ${error}`));
  await admin.end();
  for (const child of children.reverse()) await child.stop().catch(() => undefined);
  await bridgeChildren.stopAll();
}
