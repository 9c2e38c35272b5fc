import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { unstable_readConfig } from 'wrangler';

export interface BundledApi {
  url: string;
  stop(): Promise<void>;
}

let bundled: { script: string; compatibilityDate: string; vars: Record<string, string> } | undefined;

/** The deployable bundle, built once per process by `wrangler deploy --dry-run` (what `wrangler deploy` uploads). */
function bundle(root: string): NonNullable<typeof bundled> {
  if (bundled) return bundled;
  const outdir = join(root, '.data/bundle');
  execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    stdio: 'ignore',
  });
  const config = unstable_readConfig({ config: join(root, 'wrangler.toml') });
  if (!config.compatibility_date) throw new Error('wrangler.toml has no compatibility_date');
  const vars = Object.fromEntries(Object.entries(config.vars).map(([key, value]) => [key, String(value)]));
  bundled = { script: join(outdir, 'index.js'), compatibilityDate: config.compatibility_date, vars };
  return bundled;
}

/**
 * Serves the deployable bundle in workerd through Miniflare, with `settings` as its vars and
 * secrets. Unlike `wrangler dev` there is no file watcher or reloading proxy in front of it, so
 * a long test run cannot see a request cut off by a reload.
 */
export async function startBundledApi(root: string, port: number, settings: Record<string, string>): Promise<BundledApi> {
  const { script, compatibilityDate, vars } = bundle(root);
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    compatibilityDate,
    bindings: { ...vars, ...settings },
    host: '127.0.0.1',
    port,
  });
  const url = (await mf.ready).origin;
  return { url, stop: () => mf.dispose() };
}
