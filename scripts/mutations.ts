// `npm run test:mutations`: builds the project with one deliberate defect at a time and runs the
// tests that must catch it. Each defect breaks a guarantee the README promises; a mutation the
// tests do not catch means that guarantee is not proven. Runs against the committed HEAD, each
// mutation in a work tree of its own, on the services already running (scripts/with-services.sh).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/profile.ts';

interface Mutation {
  name: string;
  file: string;
  find: string;
  replace: string;
  /** The test files (and optional name filter) that must fail. */
  tests: string[];
  filter?: string;
}

const mutations: Mutation[] = [
  {
    name: 'the worker inserts each batch twice',
    file: 'worker-ingest/src/batch-writer.ts',
    find: 'await deps.insert(toInsert, slots);',
    replace: 'await deps.insert(toInsert, slots);\n                await deps.insert(toInsert, slots);',
    tests: ['worker-ingest/src/ingest.integration.test.ts'],
  },
  {
    name: 'the worker inserts one batch twice (test:faults)',
    file: 'worker-ingest/src/batch-writer.ts',
    find: 'await deps.insert(toInsert, slots);',
    replace: 'await deps.insert(toInsert, slots);\n                if (metrics.batches === 3) await deps.insert(toInsert, slots);',
    tests: ['test/audit/faults.test.ts'],
    filter: 'kill -9',
  },
  {
    name: 'the worker acks before it inserts',
    file: 'worker-ingest/src/batch-writer.ts',
    find: 'const keepAlive = setInterval(deps.keepAlive, deps.keepAliveEveryMs);',
    replace: 'for (const { msg } of items) msg.ack();\n      const keepAlive = setInterval(deps.keepAlive, deps.keepAliveEveryMs);',
    tests: ['worker-ingest/src/outage.integration.test.ts'],
    filter: 'ClickHouse down',
  },
  {
    name: 'a list page is stamped with the generation read after the query',
    file: 'functions/handlers/list-goods.ts',
    find: 'const stamp = lookup.stamp;',
    replace: 'const stamp = (await cache.lookup(limit, offset)).stamp;',
    tests: ['functions/handlers/list-goods.test.ts', 'test/api/read-your-writes.test.ts'],
  },
  {
    name: 'the outbox cleaner deletes unconfirmed rows',
    file: 'worker-ingest/src/outbox.ts',
    find: "'DELETE FROM goods_outbox WHERE event_id = ANY($1::uuid[])'",
    replace: "'DELETE FROM goods_outbox WHERE event_id = ANY($1::uuid[]) OR created_at < now()'",
    tests: ['test/audit/faults.test.ts'],
    filter: 'relay',
  },
  {
    name: 'a write commits after its deadline',
    file: 'functions/db/with-database.ts',
    find: 'const commitBy = new Date(deadline - COMMIT_MARGIN_MS);',
    replace: 'const commitBy = new Date(deadline + 60_000);',
    tests: ['test/api/commit-deadline.test.ts'],
    filter: 'local pooler',
  },
];

const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });

function mutatedTree(m: Mutation, index: number): string {
  const tree = join(ROOT, '.data/mutations', String(index));
  if (existsSync(tree)) git('worktree', 'remove', '--force', tree);
  git('worktree', 'add', '--detach', '--force', tree, 'HEAD');
  // The packages are the main checkout's, linked: nothing may install into the tree (npm ci would
  // empty the linked folder). The docs page's vendored files are copied as install-deps.sh would.
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
  cpSync(join(ROOT, 'functions/docs/vendor'), join(tree, 'functions/docs/vendor'), { recursive: true });
  const path = join(tree, m.file);
  const source = readFileSync(path, 'utf8');
  if (!source.includes(m.find)) throw new Error(`${m.name}: ${m.file} no longer contains ${JSON.stringify(m.find)}`);
  writeFileSync(path, source.replace(m.find, m.replace));
  return tree;
}

// `npm run test:mutations -- WORDS`: only the mutations whose name contains WORDS.
const only = process.argv.slice(2).join(' ');
const results: { name: string; caught: boolean; seconds: number }[] = [];
for (const [i, m] of mutations.entries()) {
  if (!m.name.includes(only)) continue;
  const started = Date.now();
  const tree = mutatedTree(m, i);
  console.log(`\n[mutation] ${m.name}: ${m.tests.join(' ')}${m.filter ? ` -t "${m.filter}"` : ''}`);
  const run = spawnSync(join(tree, 'node_modules/.bin/vitest'), ['run', ...m.tests, ...(m.filter ? ['-t', m.filter] : [])], {
    cwd: tree,
    // The services this run uses are the ones of the main checkout (their pid files live there).
    env: { ...process.env, SERVICES_DATA_DIR: join(ROOT, '.data') },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  results.push({ name: m.name, caught: run.status !== 0, seconds: Math.round((Date.now() - started) / 1000) });
  unlinkSync(join(tree, 'node_modules')); // the link only, before the tree goes
  git('worktree', 'remove', '--force', tree);
}

console.log('\n| mutation | caught | s |\n|---|---|---|');
for (const r of results) console.log(`| ${r.name} | ${r.caught ? 'yes' : 'NO'} | ${r.seconds} |`);
const missed = results.filter((r) => !r.caught).length;
console.log(`mutations: ${results.length - missed} of ${results.length} caught`);
process.exit(missed === 0 ? 0 : 1);
