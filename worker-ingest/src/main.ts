// The ingest worker: JetStream -> ClickHouse goods_log, plus the outbox relay.
// Run: node --import tsx worker-ingest/src/main.ts, with its settings in the environment
// (worker-ingest/README.md; `npm start` passes the local ones).
import { loadConfig, type IngestConfig } from './config.ts';
import { createLog, errorMessage } from '../../shared/log.ts';
import { startIngestWorker } from './worker.ts';

const log = createLog();
let config: IngestConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error(errorMessage(error));
  process.exit(2);
}

const worker = await startIngestWorker(config, log);

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
