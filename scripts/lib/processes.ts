import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Child {
  name: string;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the whole process group is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a child with its output in `logFile` (or inherited when absent). By default it gets its
 * own process group, so that stopping it also stops whatever it spawned (wrangler's workerd).
 * With `ownGroup: false` it stays in ours: a terminal's Ctrl-C then reaches it directly, even
 * if this process is killed before it can stop its children.
 */
export function spawnChild(
  name: string,
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; logFile?: string | undefined; ownGroup?: boolean },
): Child {
  const ownGroup = options.ownGroup ?? true;
  let output: 'inherit' | number = 'inherit';
  if (options.logFile) {
    mkdirSync(dirname(options.logFile), { recursive: true });
    output = openSync(options.logFile, 'a');
  }
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: ownGroup, stdio: ['ignore', output, output] });
  if (typeof output === 'number') closeSync(output);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    process: child,
    async stop(graceMs = 5_000) {
      const gone = () => child.exitCode !== null || child.signalCode !== null;
      if (gone()) return;
      // Sharing our group, it may have had the terminal's Ctrl-C already: give it time to finish
      // on its own before a second signal, which the ingest worker takes as "exit now".
      if (!ownGroup) await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
      if (gone()) return;
      signal(child, ownGroup, 'SIGTERM');
      const timer = setTimeout(() => signal(child, ownGroup, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      if (ownGroup) signal(child, ownGroup, 'SIGKILL');
    },
  };
}

function signal(child: ChildProcess, group: boolean, name: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(group ? -child.pid : child.pid, name);
  } catch {
    // already gone
  }
}

/**
 * Polls `url` until it answers (with a status below 500, or any status when `anyStatus`), or
 * fails after `timeoutMs`, adding `hint()` to the message.
 */
export async function waitForHttp(url: string, timeoutMs: number, hint: () => string = () => '', anyStatus = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (anyStatus || response.status < 500) return;
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})${hint()}`);
}

/** Whether nothing listens on `port` of the loopback interface. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** True when `moduleUrl` is the script tsx/node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}
