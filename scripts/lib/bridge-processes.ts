// The local bridges, each in a Node process of its own: a burst of requests then has them
// relay on cores of their own, not on the event loop of whoever started them (the test runner,
// a benchmark), and their CPU can be measured apart.
import { join } from 'node:path';
import { type Child, freePort, spawnChild, waitForHttp } from './processes.ts';

export type BridgeScript = 'pg-ws-bridge.ts' | 'upstash-rest.ts';

export interface BridgeProcesses {
  /** Starts scripts/bridges/<script> with `portVar` set to `port` (0: a free one). */
  start(name: string, script: BridgeScript, portVar: string, port?: number): Promise<{ port: number; pid: number }>;
  stopAll(): Promise<void>;
}

/** `env`: the settings the bridges read (their ports, Postgres and Redis). */
export function bridgeProcesses(root: string, env: Record<string, string | undefined>, logDir?: string): BridgeProcesses {
  const children: Child[] = [];
  return {
    async start(name, script, portVar, port = 0) {
      const listen = port || (await freePort());
      const child = spawnChild(name, process.execPath, ['--import', 'tsx', join(root, 'scripts/bridges', script)], {
        env: { ...process.env, ...env, [portVar]: String(listen) },
        cwd: root,
        logFile: logDir && join(logDir, `${name}.log`),
      });
      children.push(child);
      const exited = () => (child.process.exitCode !== null ? ` ${name} exited with ${child.process.exitCode}.` : '');
      await waitForHttp(`http://127.0.0.1:${listen}/stats`, 20_000, exited);
      return { port: listen, pid: child.process.pid! };
    },
    async stopAll() {
      for (const child of children.splice(0).reverse()) await child.stop().catch(() => undefined);
    },
  };
}
