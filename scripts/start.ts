// The local stack for development: see scripts/start.sh. Settings are the dev profile
// (scripts/lib/profile.ts): scripts/local.env and .dev.vars, where the environment wins, so any
// setting, secrets included, can be given there (API_PORT=4000 or API_TOKEN=… npm start).
import { mkdirSync, writeFileSync } from 'node:fs';
import { type StackOptions, startLocalStack } from './lib/local-stack.ts';
import { profileEnv, ROOT as root } from './lib/profile.ts';

const env = profileEnv('dev');

const inspectorPort = Number(env.INSPECTOR_PORT ?? 9329);

/**
 * `npm start` serves the deployable bundle itself in workerd. `npm run dev` (--watch) serves it
 * through `wrangler dev`, which rebuilds on every change; its local proxy answers some requests
 * of a burst with 503 (see the README), so it is for editing, not for load.
 */
function api(): StackOptions['api'] {
  if (!process.argv.includes('--watch')) return { kind: 'bundle', inspectorPort };
  // wrangler reads the Worker's settings from a file: hand it the merged ones.
  mkdirSync(`${root}.data`, { recursive: true });
  const envFile = `${root}.data/start.env`;
  writeFileSync(
    envFile,
    `${Object.entries(env)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n')}\n`,
  );
  return { kind: 'wrangler-dev', envFiles: [envFile], inspectorPort };
}

try {
  const stack = await startLocalStack({ root, env, ingestWorker: true, api: api() });
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
