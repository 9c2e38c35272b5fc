// `npm run seed -- --goods N [--projects P]`: loads a catalogue straight into Postgres (DIRECT_URL of
// the dev settings): N goods spread over P projects (made if missing), in
// statements of 50,000 rows, with progress. Priorities and counters come from the database's
// own triggers, as for the API's writes. Then it checks the result (counters equal counts,
// priorities distinct) and invalidates the API's list cache. A bulk load is not a change made
// through the API: it records no audit events.
import { parseArgs } from 'node:util';
import { listCacheKeys } from '../shared/cache-keys.ts';
import { createNodePool } from '../shared/node-postgres.ts';
import { postgresPorts, startPgWsBridge } from './bridges/pg-ws-bridge.ts';
import { profileEnv } from './lib/profile.ts';

const CHUNK = 50_000;

const env = profileEnv('dev');
const { values } = parseArgs({ options: { goods: { type: 'string' }, projects: { type: 'string', default: '1' } } });
const goods = Number(values.goods);
const projects = Number(values.projects);
if (!Number.isInteger(goods) || goods < 1 || !Number.isInteger(projects) || projects < 1) {
  console.error('usage: npm run seed -- --goods N [--projects P]   (N, P positive integers)');
  process.exit(2);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
function progress(line: string, done: boolean): void {
  if (process.stdout.isTTY) process.stdout.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
  else console.log(line);
}

const bridge = await startPgWsBridge({ port: 0, pgPorts: postgresPorts(env) });
const pool = createNodePool(env.DIRECT_URL!, `127.0.0.1:${bridge.port}`, 1);
const client = await pool.connect();
let failed = false;
try {
  // A load runs longer than the statement budget the database gives the app.
  await client.query('SET statement_timeout = 0');
  await client.query(`INSERT INTO projects (name) SELECT 'Project ' || n FROM generate_series((SELECT count(*) FROM projects) + 1, $1) n`, [
    projects,
  ]);
  const { rows: before } = await client.query<{ total: string }>('SELECT total FROM goods_stats');
  const started = performance.now();
  for (let from = 1; from <= goods; from += CHUNK) {
    const to = Math.min(goods, from + CHUNK - 1);
    await client.query(
      `INSERT INTO goods (project_id, name)
       SELECT p.ids[1 + n % $3], 'good ' || n
       FROM generate_series($1::int, $2::int) n,
            (SELECT array_agg(id ORDER BY id) AS ids FROM (SELECT id FROM projects ORDER BY id LIMIT $3) chosen) p`,
      [from, to, projects],
    );
    const seconds = (performance.now() - started) / 1000;
    const rate = to / seconds;
    progress(
      `seed: ${fmt(to)} / ${fmt(goods)} goods (${Math.floor((100 * to) / goods)} %), ${fmt(rate)}/s, about ${Math.ceil((goods - to) / rate)} s left`,
      to === goods,
    );
  }
  // Fresh rows: set their hint bits and the planner's statistics now, not during the first requests.
  await client.query('VACUUM (ANALYZE) goods');
  const seconds = (performance.now() - started) / 1000;

  const { rows } = await client.query<{ total: string; counted: string; removed_ok: boolean; distinct_ok: boolean }>(
    `SELECT s.total, c.counted, s.removed = c.removed AS removed_ok, c.priorities = c.counted AS distinct_ok
     FROM goods_stats s,
          (SELECT count(*) AS counted, count(*) FILTER (WHERE removed) AS removed, count(DISTINCT priority) AS priorities FROM goods) c`,
  );
  const check = rows[0]!;
  const checks: [string, boolean][] = [
    ['goods_stats.total = count(*)', check.total === check.counted],
    ['goods_stats.removed = removed goods', check.removed_ok],
    ['priorities distinct', check.distinct_ok],
    ['every good of this load counted', Number(check.counted) - Number(before[0]!.total) >= goods],
  ];
  await invalidateListCache();

  console.log('');
  console.log(`  goods loaded     ${fmt(goods).padStart(12)}`);
  console.log(`  projects         ${fmt(projects).padStart(12)}`);
  console.log(`  goods in total   ${fmt(Number(check.counted)).padStart(12)}`);
  console.log(`  time             ${seconds.toFixed(1).padStart(10)} s`);
  console.log(`  rate             ${fmt(goods / seconds).padStart(10)}/s`);
  for (const [name, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'}  ${name}`);
  failed = checks.some(([, ok]) => !ok);
} finally {
  client.release();
  await pool.end();
  await bridge.close();
}
process.exitCode = failed ? 1 : 0;

/** As a write does: bump the generation, so no page cached before the load is served after it. */
async function invalidateListCache(): Promise<void> {
  const response = await fetch(env.UPSTASH_REDIS_REST_URL!, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.UPSTASH_REDIS_REST_TOKEN}` },
    body: JSON.stringify(['INCR', listCacheKeys(env.CACHE_NAMESPACE!).generation]),
  }).catch(() => undefined);
  if (!response?.ok) console.warn('seed: could not reach the list cache; cached pages expire within 60 s');
}
