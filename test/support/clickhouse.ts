import { testEnv } from './env.ts';
import { waitFor } from './wait.ts';

/** The suite's ClickHouse servers: one, or each replica of the cluster profile. */
export const CLICKHOUSE_REPLICAS: readonly string[] = testEnv.CLICKHOUSE_URL!.split(',');

/**
 * Runs a statement against the test ClickHouse database over HTTP, as the writer, on `server`
 * (default: the first replica); its answer as text.
 */
export async function chCommand(sql: string, server = CLICKHOUSE_REPLICAS[0]!): Promise<string> {
  const url = new URL(server);
  url.searchParams.set('database', testEnv.CLICKHOUSE_DATABASE!);
  url.searchParams.set('output_format_json_quote_64bit_integers', '0');
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'X-ClickHouse-User': testEnv.CLICKHOUSE_WRITER_USER!, 'X-ClickHouse-Key': testEnv.CLICKHOUSE_WRITER_PASSWORD! },
    body: sql,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

/** Runs a read query against the test ClickHouse database (on `server`, default the first replica); rows as objects. */
export async function chQuery<T = Record<string, unknown>>(sql: string, server?: string): Promise<T[]> {
  return (JSON.parse(await chCommand(`${sql} FORMAT JSON`, server)) as { data: T[] }).data;
}

/** Rows and distinct events in goods_log for goods whose names start with `prefix`. */
export async function logCounts(prefix: string): Promise<{ rows: number; events: number }> {
  const [row] = await chQuery<{ rows: number; events: number }>(
    `SELECT count() AS rows, uniqExact(EventId) AS events FROM goods_log WHERE startsWith(Name, '${prefix.replace(/'/g, '')}')`,
  );
  return row ?? { rows: 0, events: 0 };
}

/** Waits until goods_log holds at least `expected` events for `prefix`; returns the counts then. */
export function waitForEvents(prefix: string, expected: number, timeoutMs = 90_000): Promise<{ rows: number; events: number }> {
  return waitFor(
    `${expected} events for ${prefix} in goods_log`,
    async () => {
      const counts = await logCounts(prefix);
      return counts.events >= expected ? counts : undefined;
    },
    timeoutMs,
    250,
  );
}
