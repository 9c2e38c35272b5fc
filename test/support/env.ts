import { profileEnv, ROOT } from '../../scripts/lib/profile.ts';
import type { NatsServer } from '../../worker-ingest/src/nats-identity.ts';
import { natsServer } from '../../worker-ingest/src/nats-settings.ts';

export { ROOT };

/** The suite's settings: the `test` profile (scripts/local.env overlaid by test/test.env). */
export const testEnv: Record<string, string> = profileEnv('test');

export const API_URL = `http://127.0.0.1:${testEnv.API_PORT}`;

/**
 * A subject prefix of its own for a test file or benchmark, `goods-test.<tag>.events`: under the
 * root of the suite's NATS_SUBJECT, where the local NATS users may publish
 * (scripts/nats/accounts.conf), and beside the suite's own stream, never overlapping it.
 */
export function testSubject(tag: string): string {
  return `${testEnv.NATS_SUBJECT!.split('.')[0]}.${tag}.events`;
}

/** The suite's NATS server, with the ingest worker's identity. */
export function testNatsServer(): NatsServer {
  const server = natsServer(testEnv);
  if ('problems' in server) throw new Error(`the test settings: ${server.problems.join('; ')}`);
  return server;
}

/** The suite's pooled (DATABASE_URL) or direct (DIRECT_URL) URL, naming another database. */
export function databaseUrl(setting: 'DATABASE_URL' | 'DIRECT_URL', database: string): string {
  const url = new URL(testEnv[setting]!);
  url.pathname = `/${database}`;
  return url.toString();
}
