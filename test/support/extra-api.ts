import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Child, spawnChild, waitForHttp } from '../../scripts/lib/processes.ts';
import { ENV_FILES, ROOT } from './env.ts';

export interface ExtraApi {
  url: string;
  stop(): Promise<void>;
}

/**
 * A second `wrangler dev` of the same Worker with some settings overridden, for behaviour that
 * depends on configuration (API token, CORS, a broken DATABASE_URL).
 */
export async function startExtraApi(name: string, port: number, overrides: Record<string, string>): Promise<ExtraApi> {
  const dir = join(ROOT, '.data/logs/test');
  mkdirSync(dir, { recursive: true });
  const envFile = join(dir, `${name}.env`);
  writeFileSync(envFile, Object.entries(overrides).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const child: Child = spawnChild(
    `wrangler-${name}`,
    join(ROOT, 'node_modules/.bin/wrangler'),
    [
      'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(port + 6000),
      '--show-interactive-dev-session=false',
      ...[...ENV_FILES, envFile].flatMap((file) => ['--env-file', file]),
    ],
    { env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, cwd: ROOT, logFile: join(dir, `${name}-wrangler.log`) },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, 60_000, () => ` (see .data/logs/test/${name}-wrangler.log)`, true);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { url, stop: () => child.stop() };
}
