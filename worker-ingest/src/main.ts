// The ingest worker: JetStream -> ClickHouse goods_log, plus the outbox relay.
// Run: node --import tsx worker-ingest/src/main.ts  (settings from the environment; without NATS_URL set,
// scripts/local.env supplies the local defaults).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, type IngestConfig } from './config.ts';
import { createJsonLog, errorMessage } from './log.ts';
import { startIngestWorker } from './worker.ts';

const localEnv = fileURLToPath(new URL('../../scripts/local.env', import.meta.url));
if (!process.env.NATS_URL && existsSync(localEnv)) process.loadEnvFile(localEnv);

const log = createJsonLog();
let config: IngestConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error(errorMessage(error));
  process.exit(2);
}

const worker = await startIngestWorker(config, { log });

let signalled = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (signalled) {
      log('forced_exit', { signal });
      process.exit(1);
    }
    signalled = true;
    log('shutdown', { signal });
    worker.stop().then(
      () => process.exit(0),
      (error) => {
        log('shutdown_failed', { error: errorMessage(error) });
        process.exit(1);
      },
    );
  });
}
