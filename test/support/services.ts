import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './env.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

/**
 * Runs scripts/services.sh, e.g. `await services('down', 'nats')`. Asynchronously: the test's
 * own requests in flight keep being answered (and timed) while the script works.
 */
export async function services(...args: string[]): Promise<void> {
  await run('bash', [join(ROOT, 'scripts/services.sh'), ...args]);
}

/**
 * Runs `during` between `enter` and `leave`; `leave` also when `during` fails, and when `enter`
 * fails partway (a service half killed or half frozen is brought back for the next test).
 */
export async function between<T>(enter: () => unknown, during: () => Promise<T>, leave: () => unknown): Promise<T> {
  try {
    await enter();
    return await during();
  } finally {
    await leave();
  }
}

/** Stops `service`, runs `during`, then starts the service again, also when `during` fails. */
export function whileDown(service: string, during: () => Promise<unknown>): Promise<unknown> {
  return between(
    () => services('down', service),
    during,
    () => services('up', service),
  );
}

/**
 * Freezes the whole Postgres server (SIGSTOP to the postmaster, then to every backend): the
 * pooler's open sessions stop answering, and new connections queue unanswered in the listen
 * backlog. Thawed in the reverse order.
 */
export function whilePostgresFrozen(during: () => Promise<unknown>): Promise<unknown> {
  const dataDir = join(process.env.SERVICES_DATA_DIR ?? join(ROOT, '.data'), 'postgres/data');
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let frozen: number[] = [];
  const signal = (pids: number[], name: NodeJS.Signals) => {
    for (const pid of pids) signalIfAlive(pid, name);
  };
  return between(
    () => {
      frozen = [postmaster];
      signal(frozen, 'SIGSTOP');
      frozen.push(...childrenOf(postmaster));
      signal(frozen.slice(1), 'SIGSTOP');
    },
    during,
    () => signal([...frozen].reverse(), 'SIGCONT'),
  );
}

/**
 * Whether anything of `pid` still runs: a zombie whose last thread is gone counts as exited (init
 * reaps it later). Until then its other threads may still hold its ports and files.
 */
function alive(pid: number): boolean {
  try {
    const zombie = /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return !zombie || readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text ? text.split(/\s+/).map(Number) : [];
}

/**
 * Freezes a one-process service (SIGSTOP): its connections stay open and new ones queue in the
 * listen backlog, but nothing is answered until it is thawed, also when `during` fails.
 */
export async function whileFrozen(service: string, during: () => Promise<unknown>): Promise<unknown> {
  const pid = await servicePid(service);
  return between(
    () => process.kill(pid, 'SIGSTOP'),
    during,
    () => process.kill(pid, 'SIGCONT'),
  );
}

/** The pid scripts/services.sh reports for a running service. */
export async function servicePid(service: string): Promise<number> {
  const { stdout } = await run('bash', [join(ROOT, 'scripts/services.sh'), 'status', service]);
  const pid = /pid (\d+)/.exec(stdout)?.[1];
  if (!pid) throw new Error(`${service} is not running: ${stdout.trim()}`);
  return Number(pid);
}

/**
 * Crashes `service` with SIGKILL (Postgres: the postmaster and every backend at once, as a
 * machine losing the process tree would), runs `during`, then starts it again with
 * scripts/services.sh, also when `during` fails.
 */
export function whileKilled(service: string, during: () => Promise<unknown>): Promise<unknown> {
  return between(
    async () => {
      const pid = await servicePid(service);
      const victims = service === 'postgres' ? [pid, ...childrenOf(pid)] : [pid];
      for (const victim of victims) signalIfAlive(victim, 'SIGKILL');
      // Gone, ports and files let go of, before anything starts it again.
      await waitFor(`${service} to die`, async () => victims.every((v) => !alive(v)), 10_000);
    },
    during,
    () => startAfterCrash(service),
  );
}

/** Signals a process unless it has already gone: a backend can exit on its own after it was listed. */
function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Starts a crashed service again. ClickHouse 18.16 can itself crash on its first start after a
 * SIGKILL (seen here: "BaseDaemon: Address not mapped to object" while it loads its parts), and
 * start cleanly on the next try: a server quirk, not what the test looks at, so it gets three.
 */
async function startAfterCrash(service: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await services('up', service);
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}
