import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './env.ts';

/** Runs scripts/services.sh, e.g. `services('down', 'nats')`. */
export function services(...args: string[]): void {
  execFileSync('bash', [join(ROOT, 'scripts/services.sh'), ...args], { stdio: 'ignore' });
}
