import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Child, portIsFree, spawnChild, waitForHttp } from '../../scripts/lib/processes.ts';
import { ROOT, testEnv } from './env.ts';

export interface IngestProcess {
  child: Child;
  metrics(): Promise<Record<string, number>>;
  /** SIGKILL: no flush, no ack. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const metricsUrl = `http://127.0.0.1:${testEnv.INGEST_HTTP_PORT}/metrics`;

/** Starts the ingest worker (worker-ingest/src/main.ts) with the test settings, as `npm start` does. */
export async function startIngest(overrides: Record<string, string> = {}): Promise<IngestProcess> {
  // Otherwise the readiness check below would be answered by the other process.
  if (!(await portIsFree(Number(testEnv.INGEST_HTTP_PORT)))) {
    throw new Error(`port ${testEnv.INGEST_HTTP_PORT} is taken: an ingest worker left over from an interrupted run? Stop it first.`);
  }
  const child = spawnChild('ingest', process.execPath, ['--import', 'tsx', join(ROOT, 'worker-ingest/src/main.ts')], {
    // Through the tests' own bridge: the API's bridge counts only the API's connections.
    env: {
      PATH: process.env.PATH ?? '',
      ...testEnv,
      PG_WS_PROXY: `127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}`,
      ...overrides,
    },
    cwd: ROOT,
    logFile: join(ROOT, '.data/logs/test/ingest.log'),
  });
  await waitForHttp(metricsUrl, 30_000, () => ' (see .data/logs/test/ingest.log)');
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  return {
    child,
    metrics: async () => (await fetch(metricsUrl)).json() as Promise<Record<string, number>>,
    async kill() {
      child.process.kill('SIGKILL');
      await exited;
    },
    stop: () => child.stop(15_000),
  };
}

/** The ingest worker for a test file: started before its first test, stopped after its last. */
export function useIngestWorker(): () => IngestProcess {
  let ingest: IngestProcess | undefined;
  beforeAll(async () => {
    ingest = await startIngest();
  });
  afterAll(async () => {
    await ingest?.stop();
  });
  return () => {
    if (!ingest) throw new Error('the ingest worker has not started');
    return ingest;
  };
}
