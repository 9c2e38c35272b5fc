import { join } from 'node:path';
import { bridgeProcesses } from './bridge-processes.ts';
import { createNodePool } from '../../shared/node-postgres.ts';
import { startBundledApi } from './bundled-api.ts';
import { clickHouseWriter } from '../../shared/clickhouse-writer.ts';
import { parseSettings } from '../../shared/settings.ts';
import { applyClickHouseMigrations } from '../../shared/migrate/clickhouse.ts';
import { clickHouseMigrationLock, withMigrationLock } from '../../shared/migrate/lock.ts';
import { applyPostgresMigrations } from '../../shared/migrate/postgres.ts';
import { type Child, spawnChild, waitForHttp } from './processes.ts';

export interface StackOptions {
  root: string;
  /** The merged settings (scripts/local.env and overrides); also given to the children. */
  env: Record<string, string>;
  /**
   * `bundle`: the deployable bundle in workerd through Miniflare, given `env`, with nothing that
   * reloads and no proxy in front (`npm start`, the tests); or `wrangler-dev`, which rebuilds on
   * change (`npm run dev`; reads the Worker's settings from `envFiles`, later ones winning).
   */
  api: { kind: 'bundle'; inspectorPort?: number } | { kind: 'wrangler-dev'; envFiles: string[]; inspectorPort: number };
  /** Children's output goes here; inherited when absent. */
  logDir?: string;
  ingestWorker: boolean;
}

export interface LocalStack {
  apiUrl: string;
  stop(): Promise<void>;
}

interface Stoppable {
  stop(): Promise<void>;
}

function port(env: Record<string, string>, name: string): number {
  const value = Number(env[name]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a port number, got ${JSON.stringify(env[name])}`);
  return value;
}

/**
 * Everything above the backing services (which scripts/services.sh runs): the two local bridges,
 * Postgres and ClickHouse migrations, the API in workerd, and optionally the ingest worker.
 */
export async function startLocalStack(options: StackOptions): Promise<LocalStack> {
  const { env, root } = options;
  const started: Stoppable[] = [];
  const stop = async () => {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
  };
  const log = (name: string) => (options.logDir ? join(options.logDir, `${name}.log`) : undefined);
  const childEnv = { ...process.env, ...env, WRANGLER_SEND_METRICS: 'false' };
  // The edge's identities: a Worker has no start-up to fail, so a missing one stops the stack here.
  parseSettings(env, ['NATS_USER', 'NATS_PASSWORD', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD']);

  try {
    const bridges = bridgeProcesses(root, env, options.logDir);
    started.push({ stop: () => bridges.stopAll() });
    await bridges.start('pg-ws-bridge', 'pg-ws-bridge.ts', 'PG_WS_BRIDGE_PORT', port(env, 'PG_WS_BRIDGE_PORT'));
    await bridges.start('upstash-rest', 'upstash-rest.ts', 'REDIS_REST_PORT', port(env, 'REDIS_REST_PORT'));

    await migrate(env, root);

    const apiPort = port(env, 'API_PORT');
    let apiUrl: string;
    const api = options.api;
    if (api.kind === 'bundle') {
      const bundled = await startBundledApi(root, apiPort, env, undefined, api.inspectorPort);
      started.push(bundled);
      apiUrl = bundled.url;
    } else {
      const wrangler = spawnChild(
        'wrangler',
        join(root, 'node_modules/.bin/wrangler'),
        [
          'dev',
          '--ip',
          '127.0.0.1',
          '--port',
          String(apiPort),
          '--inspector-port',
          String(api.inspectorPort),
          '--show-interactive-dev-session=false',
          ...api.envFiles.flatMap((file) => ['--env-file', file]),
        ],
        { env: childEnv, cwd: root, logFile: log('wrangler'), ownGroup: false },
      );
      started.push(wrangler);
      apiUrl = `http://127.0.0.1:${apiPort}`;
      await waitForHttp(`${apiUrl}/healthz`, 60_000, exitHint(wrangler, log('wrangler')), true);
    }

    if (options.ingestWorker) {
      const worker = spawnChild('ingest', process.execPath, ['--import', 'tsx', join(root, 'worker-ingest/src/main.ts')], {
        env: childEnv,
        cwd: root,
        logFile: log('ingest'),
        ownGroup: false,
      });
      started.push(worker);
    }
    return { apiUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Postgres, then ClickHouse migrations, each under its lock, as `npm run migrate` and the worker's image run them. */
async function migrate(env: Record<string, string>, root: string): Promise<void> {
  // Migrations hold a session-level lock: the direct URL, never the transaction pooler.
  const pool = createNodePool(env.DIRECT_URL ?? '', env.PG_WS_PROXY || undefined);
  try {
    await applyPostgresMigrations(pool, join(root, 'migrations/postgres'));
    const target = clickHouseWriter(env);
    await applyClickHouseMigrations(target, join(root, 'migrations/clickhouse'), {
      exclusive: (work) => withMigrationLock(pool, clickHouseMigrationLock(target.database), work),
    });
  } finally {
    await pool.end();
  }
}

function exitHint(child: Child, logFile: string | undefined): () => string {
  return () => {
    const exited = child.process.exitCode !== null ? ` ${child.name} exited with ${child.process.exitCode}.` : '';
    return `${exited}${logFile ? ` See ${logFile}.` : ''}`;
  };
}
