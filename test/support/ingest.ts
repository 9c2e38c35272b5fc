import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Child, portIsFree, spawnChild, waitForHttp } from '../../scripts/lib/processes.ts';
import { ROOT, testEnv } from './env.ts';

export interface IngestProcess {
  child: Child;
  metrics(): Promise<Record<string, number>>;
  /** GET /metrics in the Prometheus text format: each sample (`name{labels}`) with its value. */
  prometheus(): Promise<Map<string, number>>;
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
  try {
    await waitForHttp(metricsUrl, 30_000, () => ' (see .data/logs/test/ingest.log)');
  } catch (error) {
    await child.stop(15_000); // never left holding the port for the next test
    throw error;
  }
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  return {
    child,
    metrics: async () => (await fetch(`${metricsUrl}.json`)).json() as Promise<Record<string, number>>,
    prometheus: async () => parsePrometheus(await (await fetch(metricsUrl)).text()),
    async kill() {
      child.process.kill('SIGKILL');
      await exited;
    },
    stop: () => child.stop(15_000),
  };
}

/** The ingest worker for a test file: started before its first test, stopped after its last. */
export function useIngestWorker(overrides: Record<string, string> = {}): () => IngestProcess {
  let ingest: IngestProcess | undefined;
  beforeAll(async () => {
    ingest = await startIngest(overrides);
  });
  afterAll(async () => {
    await ingest?.stop();
  });
  return () => {
    if (!ingest) throw new Error('the ingest worker has not started');
    return ingest;
  };
}

/** Samples of the Prometheus text format; throws on a line that is neither a comment nor a sample. */
export function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!sample) throw new Error(`not Prometheus text: ${line}`);
    samples.set(sample[1]!, Number(sample[2]));
  }
  return samples;
}
