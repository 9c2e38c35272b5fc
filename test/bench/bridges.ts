// The local bridges, each in a process of its own (so that its CPU is measured apart), for the
// benchmarks' private stacks.
import { join } from 'node:path';
import { type Child, freePort, spawnChild, waitForHttp } from '../../scripts/lib/processes.ts';
import { ROOT, testEnv } from '../support/env.ts';

export interface BridgeProcesses {
  /** Starts scripts/bridges/<script> with `portVar` set to `port` (0: a free one). */
  start(name: string, script: string, portVar: string, port?: number): Promise<{ port: number; pid: number }>;
  stopAll(): Promise<void>;
}

export function bridgeProcesses(logDir: string): BridgeProcesses {
  const children: Child[] = [];
  return {
    async start(name, script, portVar, port = 0) {
      const listen = port || (await freePort());
      const child = spawnChild(name, process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/bridges', script)], {
        env: { ...process.env, ...testEnv, [portVar]: String(listen) },
        cwd: ROOT,
        logFile: join(logDir, `${name}.log`),
      });
      children.push(child);
      await waitForHttp(`http://127.0.0.1:${listen}/stats`, 20_000);
      return { port: listen, pid: child.process.pid! };
    },
    async stopAll() {
      for (const child of children.splice(0).reverse()) await child.stop().catch(() => undefined);
    },
  };
}
