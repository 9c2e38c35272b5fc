import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './env.ts';

/** Runs scripts/services.sh, e.g. `services('down', 'nats')`. */
export function services(...args: string[]): void {
  execFileSync('bash', [join(ROOT, 'scripts/services.sh'), ...args], { stdio: 'ignore' });
}

/** Runs `during` between `enter` and `leave`; `leave` also when `during` fails. */
async function between(enter: () => void, during: () => Promise<unknown>, leave: () => void): Promise<void> {
  enter();
  try {
    await during();
  } finally {
    leave();
  }
}

/** Stops `service`, runs `during`, then starts the service again, also when `during` fails. */
export function whileDown(service: string, during: () => Promise<unknown>): Promise<void> {
  return between(() => services('down', service), during, () => services('up', service));
}

/**
 * Freezes the Postgres postmaster (SIGSTOP) for `during`: it still holds its port, so new
 * connections queue unanswered in the listen backlog; sessions already open carry on.
 */
export function whilePostgresFrozen(during: () => Promise<unknown>): Promise<void> {
  const pid = Number(readFileSync(join(process.env.SERVICES_DATA_DIR ?? join(ROOT, '.data'), 'postgres/data/postmaster.pid'), 'utf8').split('\n')[0]);
  return between(() => process.kill(pid, 'SIGSTOP'), during, () => process.kill(pid, 'SIGCONT'));
}
