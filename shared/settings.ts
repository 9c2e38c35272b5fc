import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { partitionCount } from './partitions.ts';

// Every setting of the deployables, in one place: the edge, the worker and the migrations read
// them through parseSettings. The local stack and the test suite add their ports on top
// (scripts/lib/stack-settings.ts). Values are strings in the environment; an empty one counts as
// unset (an env file writes `CLICKHOUSE_PASSWORD=`).

export const port = z.coerce.number().int().min(1).max(65535);
const count = (min: number) => z.coerce.number().int().min(min);
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/[^/]+\/[^/?]+/, 'expected postgres://user:password@host:port/database');
const httpUrl = z.url({ protocol: /^https?$/ });
const token = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');
const hostPort = z.string().regex(/^[^\s/:]+:\d+$/, 'expected host:port');
const filePath = z.string().regex(/^[^\0\n]+$/, 'a file path');
/** One URL, or several separated by commas (the nodes of a cluster), each with a scheme of `schemes`. */
const urlList = (schemes: string, example: string) =>
  z.string().regex(new RegExp(`^(${schemes})://[^\\s,]+(,(${schemes})://[^\\s,]+)*$`), `expected ${example}[,${example}...]`);
const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a plain identifier');

/** The URLs of a list setting (NATS_URL, NATS_WS_URL, CLICKHOUSE_URL), in order. */
export const urlsOf = (list: string): string[] => list.split(',');

export const settingSchemas = {
  // The deployables (see the README's configuration table)
  DATABASE_URL: postgresUrl,
  DIRECT_URL: postgresUrl,
  PG_WS_PROXY: hostPort,
  UPSTASH_REDIS_REST_URL: httpUrl,
  UPSTASH_REDIS_REST_TOKEN: z.string(),
  /** The NATS nodes the edge may publish to, over WebSocket; it takes the first that answers. */
  NATS_WS_URL: urlList('wss?', 'ws://host:port'),
  NATS_URL: urlList('nats|tls', 'nats://host:port'),
  /** The edge's NATS identity: publishes to `<NATS_SUBJECT>.>` only. */
  NATS_USER: z.string(),
  NATS_PASSWORD: z.string(),
  /** The ingest worker's NATS identity: a user and password, or a creds file (NKey or JWT). */
  INGEST_NATS_USER: z.string(),
  INGEST_NATS_PASSWORD: z.string(),
  INGEST_NATS_CREDS: filePath,
  /** The CA of a `tls://` NATS_URL, when it is not one the system trusts. */
  NATS_CA: filePath,
  NATS_STREAM: token,
  NATS_SUBJECT: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dot-separated tokens without wildcards'),
  /** The ClickHouse replicas (HTTP); readers and the ingest worker move to the next when one fails. */
  CLICKHOUSE_URL: urlList('https?', 'http://host:port'),
  /**
   * The cluster (remote_servers) that holds goods_log's replicas: migrations then run ON CLUSTER
   * with replicated engines. Unset on one node, and on ClickHouse Cloud (which replicates by itself).
   */
  CLICKHOUSE_CLUSTER: identifier,
  /** The edge's ClickHouse identity: a read-only user. */
  CLICKHOUSE_USER: z.string(),
  CLICKHOUSE_PASSWORD: z.string(),
  /** The ingest worker's and the migrations' ClickHouse identity: creates tables and inserts. */
  CLICKHOUSE_WRITER_USER: z.string(),
  CLICKHOUSE_WRITER_PASSWORD: z.string(),
  CLICKHOUSE_DATABASE: identifier,
  /** How long the ingest worker waits for one ClickHouse request before it gives up and retries. */
  CLICKHOUSE_REQUEST_TIMEOUT_MS: count(100),
  CACHE_NAMESPACE: z.string().regex(/^[^\s:]+$/, 'no spaces or colons'),
  API_TOKEN: z.string(),
  /** `npm run deploy` without API_TOKEN: the operator's word that writes are meant to be public. */
  ALLOW_PUBLIC_WRITES: z.literal('yes-writes-are-public'),
  CORS_ORIGINS: z.string(),
  INGEST_BATCH_SIZE: count(1),
  INGEST_BATCH_MS: count(1),
  INGEST_CONSUMER: token,
  /** The ingest pipeline's name: its workers share the write lock and the query ids of their INSERTs. */
  INGEST_PIPELINE: token,
  /** How long JetStream waits for an ack before redelivering. */
  INGEST_ACK_WAIT_MS: count(1000),
  RELAY_AFTER_MS: count(0),
  /** How often the relay looks at the outbox (and the list cache backstop retries). */
  RELAY_EVERY_MS: count(10),
  /** How long a stopping ingest worker keeps retrying ClickHouse for the batch it holds. */
  INGEST_SHUTDOWN_GRACE_MS: count(0),
  /** How long the relay leaves a relayed event before it looks at it again. */
  RELAY_AGAIN_AFTER_MS: count(100),
  /** Bytes the JetStream stream may hold; past them publishes are refused and the outbox keeps the events. */
  NATS_STREAM_MAX_BYTES: count(4096),
  /** Copies of the stream the NATS cluster keeps (1 on one node; 3 on a three-node cluster). */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5),
  /** The stream drops a repeated Nats-Msg-Id within this window. */
  NATS_DUPLICATE_WINDOW_MS: count(100),
  /**
   * Ingest partitions (shared/partitions.ts): the edge's, the relay's and the workers' must agree.
   * Each has its own consumer and is written by one worker at a time.
   */
  INGEST_PARTITIONS: partitionCount,
  /** Names this worker in the partition leases; host name and process id unless set. */
  INGEST_WORKER_ID: token,
  /** The ingest worker's /metrics and /healthz; 0 picks a free port. */
  INGEST_HTTP_PORT: z.coerce.number().int().min(0).max(65535),
} satisfies Record<string, z.ZodType>;

export type SettingName = keyof typeof settingSchemas;

/**
 * Settings whose values are never shown, in an error or anywhere else: passwords, tokens, and
 * URLs that may carry credentials (`postgres://user:password@…`, `nats://user:password@…`).
 */
export const SECRET_SETTINGS: ReadonlySet<SettingName> = new Set<SettingName>([
  'DATABASE_URL',
  'DIRECT_URL',
  'UPSTASH_REDIS_REST_URL',
  'UPSTASH_REDIS_REST_TOKEN',
  'NATS_WS_URL',
  'NATS_URL',
  'NATS_PASSWORD',
  'INGEST_NATS_PASSWORD',
  'CLICKHOUSE_URL',
  'CLICKHOUSE_PASSWORD',
  'CLICKHOUSE_WRITER_PASSWORD',
  'API_TOKEN',
]);

/** How an error may show a setting: `NAME=value`, or only its name when it is secret. */
function shown(name: string, raw: string): string {
  return SECRET_SETTINGS.has(name as SettingName) ? `${name} (value not shown)` : `${name}=${JSON.stringify(raw)}`;
}
type Value<K extends SettingName> = z.output<(typeof settingSchemas)[K]>;
export type Settings = { [K in SettingName]?: Value<K> };
/** Settings of which `K` are present. */
export type SettingsWith<K extends SettingName> = Settings & { [P in K]: Value<P> };

export function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(settingSchemas, name);
}

/**
 * Validates every known setting present in `env` and requires the `required` ones. Throws one
 * error that names each missing or bad variable; names it does not know are left alone.
 */
export function parseSettings<K extends SettingName>(
  env: Record<string, string | undefined>,
  required: readonly K[] = [],
): SettingsWith<K> {
  const { settings, problems } = checkSettings(env, required);
  if (problems.length > 0) throw new Error(`invalid settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return settings;
}

/** What parseSettings checks: the valid settings, and one line per missing or bad variable. */
export function checkSettings<K extends SettingName>(
  env: Record<string, string | undefined>,
  required: readonly K[] = [],
): { settings: SettingsWith<K>; problems: string[] } {
  const { settings, problems } = checkAgainst(settingSchemas, env, required);
  return { settings: settings as SettingsWith<K>, problems };
}

/** checkSettings against any set of schemas: the deployables' or the local stack's. */
export function checkAgainst(
  schemas: Record<string, z.ZodType>,
  env: Record<string, string | undefined>,
  required: readonly string[] = [],
): { settings: Record<string, unknown>; problems: string[] } {
  const settings: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (required.includes(name)) problems.push(`${name}: is not set`);
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) settings[name] = parsed.data;
    else problems.push(`${shown(name, raw)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return { settings, problems };
}

/**
 * Reads env files, later ones winning, and rejects a name that is not a setting (a typo there
 * would otherwise be silently ignored).
 */
export function readEnvFiles(paths: readonly string[], isKnown: (name: string) => boolean = isSettingName): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const path of paths) {
    const values = parseEnv(readFileSync(path, 'utf8'));
    const unknown = Object.keys(values).filter((name) => !isKnown(name));
    if (unknown.length > 0) throw new Error(`${path}: unknown settings ${unknown.join(', ')}`);
    Object.assign(merged, values);
  }
  return merged;
}
