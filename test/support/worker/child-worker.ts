// Runs worker-ingest/src/main.ts as a child process (one node process, so kill -9 hits the worker itself).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { IngestConfig } from '../../../worker-ingest/src/config.ts';
import type { Metrics } from '../../../worker-ingest/src/metrics.ts';
import type { PartitionView } from '../../../worker-ingest/src/partition-leases.ts';
import { freePort } from '../../../scripts/lib/processes.ts';
import { ROOT } from '../env.ts';
import { configEnv } from './backends.ts';

export interface ChildWorker {
  process: ChildProcess;
  logs: Array<Record<string, unknown>>;
  metrics(): Promise<Metrics & { held: number; partitions: PartitionView }>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts main.ts; WORKER_NODE_ARGS adds node options (e.g. `--cpu-prof` when profiling the benchmark). */
export async function spawnWorker(config: IngestConfig): Promise<ChildWorker> {
  const port = await freePort();
  const nodeArgs = process.env.WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', `${ROOT}worker-ingest/src/main.ts`], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...configEnv({ ...config, httpPort: port }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line));
    } catch {
      logs.push({ msg: 'stdout', line });
    }
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const worker: ChildWorker = {
    process: child,
    logs,
    exited,
    async metrics() {
      const res = await fetch(`http://127.0.0.1:${port}/metrics.json`);
      return (await res.json()) as Metrics & { held: number; partitions: PartitionView };
    },
  };
  // Ready once the metrics endpoint answers.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`worker exited early (${child.exitCode}): ${stderr}`);
    try {
      await worker.metrics();
      return worker;
    } catch {
      if (Date.now() > deadline) throw new Error(`worker did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
