// The local stack for development: see scripts/start.sh.
import { fileURLToPath } from 'node:url';
import { readEnvFiles } from './lib/env-files.ts';
import { startLocalStack } from './lib/local-stack.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const envFiles = [`${root}scripts/local.env`];
const env = { ...readEnvFiles(envFiles), ...definedOnly(process.env) };

function definedOnly(source: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

try {
  const stack = await startLocalStack({ root, env, envFiles, inspectorPort: 9329, ingestWorker: true });
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
