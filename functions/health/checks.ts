import { z } from 'zod';
import { errorMessage } from '../../shared/log.ts';
import { withDeadline } from '../utils/time.ts';

/** Rejects when its dependency is down. */
export type Check = () => Promise<unknown>;

/** A dependency's health check, and what it checks. */
export interface Probe {
  /** The configuration of the client it checks with: only probes of the same target share a result. */
  target: string;
  check: Check;
}

/** A probe of the dependency that the client settings `config` reach. */
export function probe(config: readonly unknown[], check: Check): Probe {
  return { target: JSON.stringify(config), check };
}

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    dependencies: z.record(
      z.string(),
      z.object({
        status: z.enum(['up', 'down']),
        ms: z.number(),
        error: z.string().optional().meta({ description: 'Why it is down; only for a caller presenting the API token.' }),
        required: z.boolean(),
      }),
    ),
  })
  .meta({
    id: 'Health',
    description: 'The requests of about a second share one probe of each dependency: results may be a few seconds old.',
  });

export interface CheckResult {
  status: 'up' | 'down';
  ms: number;
  error?: string;
}

const CHECK_TIMEOUT_MS = 2_000;

export async function runCheck(check: Check): Promise<CheckResult> {
  const started = Date.now();
  try {
    await withDeadline(check(), CHECK_TIMEOUT_MS, 'check');
    return { status: 'up', ms: Date.now() - started };
  } catch (error) {
    return { status: 'down', ms: Date.now() - started, error: errorMessage(error) };
  }
}
