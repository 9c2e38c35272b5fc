// The local stack for development: see scripts/start.sh. Settings are scripts/local.env, with
// any of its variables overridable from the environment (e.g. API_PORT=4000 npm start), plus the
// documented settings that have no local default, secrets among them (API_TOKEN=… npm start).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readEnvFiles } from './lib/env-files.ts';
import { startLocalStack } from './lib/local-stack.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const defaults = readEnvFiles([`${root}scripts/local.env`]);
/** Settings of the README's table that local.env leaves unset. */
const WITHOUT_DEFAULT = [
  'API_TOKEN',
  'CORS_ORIGINS',
  'NATS_USER',
  'NATS_PASSWORD',
  'INGEST_BATCH_SIZE',
  'INGEST_BATCH_MS',
  'INGEST_CONSUMER',
  'RELAY_AFTER_MS',
];
const env = Object.fromEntries([
  ...Object.entries(defaults).map(([key, value]) => [key, process.env[key] ?? value]),
  ...WITHOUT_DEFAULT.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key]!]])),
]);

// wrangler reads the Worker's settings from a file: hand it the merged ones.
mkdirSync(`${root}.data`, { recursive: true });
const envFile = `${root}.data/start.env`;
writeFileSync(
  envFile,
  `${Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`,
);

try {
  const stack = await startLocalStack({
    root,
    env,
    ingestWorker: true,
    api: { kind: 'wrangler-dev', envFiles: [envFile], inspectorPort: Number(process.env.INSPECTOR_PORT ?? 9329) },
  });
  console.log(`\ngoods-edge is up: ${stack.apiUrl.replace('127.0.0.1', 'localhost')} (Ctrl-C stops everything)\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  console.error(`start failed: ${(error as Error).message}`);
  process.exit(1);
}
