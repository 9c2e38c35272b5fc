// The local stack's and the test suite's own settings, on top of the deployables' (shared/
// settings.ts): ports of the services, bridges and API that scripts/ start on this machine. No
// deployable reads them.
import { checkAgainst, checkSettings, isSettingName, port } from '../../shared/settings.ts';

export const stackSettingSchemas = {
  // The local stack (scripts/services.sh, the bridges, `npm start`)
  PG_PORT: port,
  PGBOUNCER_PORT: port,
  PG_WS_BRIDGE_PORT: port,
  REDIS_PORT: port,
  REDIS_REST_PORT: port,
  NATS_PORT: port,
  NATS_WS_PORT: port,
  NATS_MONITOR_PORT: port,
  CLICKHOUSE_HTTP_PORT: port,
  CLICKHOUSE_TCP_PORT: port,
  // The cluster stack (scripts/cluster.env): NATS route port, replica fetches, ZooKeeper
  NATS_CLUSTER_PORT: port,
  CLICKHOUSE_INTERSERVER_PORT: port,
  ZOOKEEPER_PORT: port,
  API_PORT: port,
  INSPECTOR_PORT: port,
  // The test suite's own ports (test/test.env)
  TEST_PG_WS_BRIDGE_PORT: port,
  START_API_PORT: port,
  START_PG_WS_BRIDGE_PORT: port,
  START_REDIS_REST_PORT: port,
  START_INGEST_HTTP_PORT: port,
  START_INSPECTOR_PORT: port,
  INGEST_INSPECTOR_PORT: port,
  CLOSED_PG_PORT: port,
  CLOSED_PGBOUNCER_PORT: port,
};

export type StackSettingName = keyof typeof stackSettingSchemas;

/** A setting of a deployable or of the local stack. */
export function isStackSettingName(name: string): boolean {
  return isSettingName(name) || Object.hasOwn(stackSettingSchemas, name);
}

/** Validates the deployables' settings and the stack's ports in `env`; throws naming each bad one. */
export function checkStackSettings(env: Record<string, string | undefined>): void {
  const problems = [...checkSettings(env).problems, ...checkAgainst(stackSettingSchemas, env).problems];
  if (problems.length > 0) throw new Error(`invalid settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

/** A port of the local stack from environment strings, validated. */
export function envPort(env: Record<string, string | undefined>, name: StackSettingName): number {
  const { settings, problems } = checkAgainst(stackSettingSchemas, env, [name]);
  if (problems.length > 0) throw new Error(`invalid settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return settings[name] as number;
}
