import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { Miniflare } from 'miniflare';
import { unstable_readConfig } from 'wrangler';

export interface BundledApi {
  url: string;
  /** The workerd process serving it. */
  pid: number | undefined;
  stop(): Promise<void>;
}

interface Bundle {
  script: string;
  compatibilityDate: string;
  vars: Record<string, string>;
}

const bundles = new Map<string, Bundle>();

/**
 * The deployable bundle of a wrangler config (default: the API's), built once per process by
 * `wrangler deploy --dry-run` (what `wrangler deploy` uploads).
 */
function bundle(root: string, config: string): Bundle {
  const built = bundles.get(config);
  if (built) return built;
  const outdir = join(root, '.data/bundle', basename(config, '.toml'));
  execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--config', config, '--outdir', outdir], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    stdio: 'ignore',
  });
  const read = unstable_readConfig({ config });
  if (!read.compatibility_date) throw new Error(`${config} has no compatibility_date`);
  const vars = Object.fromEntries(Object.entries(read.vars).map(([key, value]) => [key, String(value)]));
  const result = {
    script: join(outdir, basename(read.main ?? 'index.ts').replace(/\.ts$/, '.js')),
    compatibilityDate: read.compatibility_date,
    vars,
  };
  bundles.set(config, result);
  return result;
}

/**
 * Serves a deployable bundle in workerd through Miniflare, with `settings` as its vars and
 * secrets. Unlike `wrangler dev` there is no file watcher or reloading proxy in front of it, so
 * a long test run cannot see a request cut off by a reload. Port 0 picks a free port.
 */
export async function startBundledApi(
  root: string,
  port: number,
  settings: Record<string, string>,
  config = join(root, 'wrangler.toml'),
  /** Opens the V8 inspector (Chrome DevTools protocol) of the Worker on this port. */
  inspectorPort?: number,
): Promise<BundledApi> {
  const { script, compatibilityDate, vars } = bundle(root, config);
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    // The bundle's own modules beside it: the text modules wrangler writes for *.txt imports.
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'Text', include: ['**/*.txt'] },
    ],
    compatibilityDate,
    bindings: { ...vars, ...settings },
    host: '127.0.0.1',
    port,
    ...(inspectorPort ? { inspectorPort } : {}),
  });
  const url = (await mf.ready).origin;
  return { url, pid: workerdChildOf(process.pid), stop: () => mf.dispose() };
}

/** The newest workerd child of `pid` (Miniflare starts one per instance). */
function workerdChildOf(pid: number): number | undefined {
  try {
    const children = execFileSync('pgrep', ['-P', String(pid), 'workerd'], { encoding: 'utf8' })
      .trim()
      .split('\n');
    return Math.max(...children.map(Number));
  } catch {
    return undefined; // pgrep found none
  }
}
