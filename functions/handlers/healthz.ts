import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { runCheck } from '../health/checks.ts';
import { presentsToken } from '../http/require-token.ts';
import { singleFlight } from '../utils/single-flight.ts';

/** The API cannot serve without these; ClickHouse only receives the audit log later, so it is reported, not required. */
const REQUIRED = ['postgres', 'redis', 'nats'] as const;

/** Per isolate: a flood of health checks opens no flood of connections. */
const sharedProbe = singleFlight<unknown>(1_000);

export async function healthzHandler(c: Context<AppEnv>): Promise<Response> {
  const probes = c.var.health;
  const names = Object.keys(probes);
  const [results, showErrors] = await Promise.all([
    // Each request waits with a deadline of its own, also on a probe another request started.
    Promise.all(names.map((name) => runCheck(() => sharedProbe(`${name}\n${probes[name]!.target}`, probes[name]!.check)))),
    presentsToken(c),
  ]);
  const dependencies = Object.fromEntries(
    names.map((name, i) => {
      const { error, ...result } = results[i]!;
      const required = (REQUIRED as readonly string[]).includes(name);
      return [name, { ...result, ...(showErrors && error !== undefined && { error }), required }];
    }),
  );
  const healthy = REQUIRED.every((name) => dependencies[name]?.status === 'up');
  return c.json({ status: healthy ? 'ok' : 'unavailable', dependencies }, healthy ? 200 : 503);
}
