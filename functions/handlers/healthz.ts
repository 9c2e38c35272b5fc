import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { HealthSchema, runCheck } from '../health/checks.ts';
import { defineRoute } from '../http/define-route.ts';
import { presentsToken } from '../http/require-token.ts';
import { singleFlight } from '../utils/single-flight.ts';

/** The API cannot serve without these; ClickHouse only receives the audit log later, so it is reported, not required. */
const REQUIRED = ['postgres', 'redis', 'nats'] as const;

/** Per isolate: a flood of health checks opens no flood of connections. */
const sharedProbe = singleFlight<unknown>(1_000);

async function health(c: Context<AppEnv>): Promise<Response> {
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

export const healthRoute = defineRoute({
  method: 'GET',
  paths: ['/healthz'],
  write: false,
  operationId: 'health',
  summary: 'The state of each dependency, its error text only with the API token; 503 when a required one is down',
  response: HealthSchema,
  errors: [],
  otherResponses: { 503: { description: 'A required dependency is down', schema: HealthSchema } },
  handle: health,
});
