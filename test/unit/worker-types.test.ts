import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lib/profile.ts';

// The Worker's Env is generated (`npm run types`); this regenerates it and compares, so a
// binding added to wrangler.toml or functions/bindings.env without regenerating fails here.
// (`wrangler types --check` ignores --env-file, so it cannot be the check.)
const COMMITTED = 'functions/worker-configuration.d.ts';
// Beside the committed one: the file names the entry module relative to itself.
const FRESH = `functions/.worker-configuration.${process.pid}.d.ts`;
afterAll(() => rmSync(join(ROOT, FRESH), { force: true }));

describe('the generated Env', () => {
  it('is what `npm run types` generates now', () => {
    const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.types!;
    const [command, ...args] = script.split(' ');
    expect([command, args[0], args[1]]).toEqual(['wrangler', 'types', COMMITTED]);
    execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), [args[0]!, FRESH, ...args.slice(2)], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      stdio: 'ignore',
    });
    const generated = readFileSync(join(ROOT, FRESH), 'utf8').replace(FRESH, COMMITTED);
    expect(readFileSync(join(ROOT, COMMITTED), 'utf8')).toBe(generated);
  });
});
