import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './env.ts';

/** Runs scripts/services.sh, e.g. `services('down', 'nats')`. */
export function services(...args: string[]): void {
  execFileSync('bash', [join(ROOT, 'scripts/services.sh'), ...args], { stdio: 'ignore' });
}

/** Stops `service`, runs `during`, then starts the service again, also when `during` fails. */
export async function whileDown(service: string, during: () => Promise<unknown>): Promise<void> {
  services('down', service);
  try {
    await during();
  } finally {
    services('up', service);
  }
}
