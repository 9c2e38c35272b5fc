import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { checkDeploy, PUBLIC_WRITES } from '../../scripts/check-deploy.ts';
import { ROOT } from '../../scripts/lib/profile.ts';

// The scripts run with a recording `wrangler` first on PATH that only records its arguments, and
// without node_modules/.bin (where npm would find the real one): no call can reach Cloudflare.
const fakeBin = mkdtempSync(join(tmpdir(), 'deploy-check-'));
const wranglerCalls = join(fakeBin, 'wrangler-calls');
writeFileSync(join(fakeBin, 'wrangler'), `#!/bin/sh\necho "$*" >> '${wranglerCalls}'\n`);
chmodSync(join(fakeBin, 'wrangler'), 0o755);
afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));
beforeEach(() => rmSync(wranglerCalls, { force: true }));

// Everything a deploy needs but the token; the migrations would find nothing listening there.
const DIRECT_URL = 'postgres://goods:goods@127.0.0.1:9/goods';

function run(command: string, args: string[], env: Record<string, string>) {
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env: { PATH: `${fakeBin}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: process.env.HOME ?? tmpdir(), ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started };
}
const deploy = (env: Record<string, string>) => run('bash', ['scripts/deploy.sh'], env);
const check = (env: Record<string, string>) => run(process.execPath, ['--import', 'tsx', 'scripts/check-deploy.ts'], env);
const wranglerWasCalled = () => existsSync(wranglerCalls);

describe('npm run deploy', () => {
  it('installs the dependencies, then hands over to scripts/deploy.sh', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.deploy).toBe('bash scripts/install-deps.sh && bash scripts/deploy.sh');
  });

  it('without API_TOKEN stops at the check with its message: no migrations, no wrangler', { timeout: 30_000 }, () => {
    const result = deploy({ DIRECT_URL });
    expect(result.status).toBe(1);
    // The check's message and nothing else: the migrations would have said something too.
    expect(result.stderr.trim()).toBe(checkDeploy({}).message);
    expect(result.stderr).toContain('deploy refused: API_TOKEN is not set');
    expect(result.stderr).toContain(PUBLIC_WRITES);
    expect(result.stdout).toBe('');
    expect(wranglerWasCalled()).toBe(false);
    expect(result.ms).toBeLessThan(10_000);
  });

  it('with API_TOKEN passes the check and goes on to the migrations, still before wrangler', { timeout: 30_000 }, () => {
    const result = deploy({ API_TOKEN: 'correct horse battery staple' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('deploy check: writes will need the token');
    expect(result.stderr).not.toContain('deploy refused');
    expect(result.stderr).toContain('DIRECT_URL: is not set');
    expect(wranglerWasCalled()).toBe(false);
  });
});

describe('the check, run alone', () => {
  it.each([
    ['API_TOKEN', { API_TOKEN: 's3cret' }, 'writes will need the token'],
    ['ALLOW_PUBLIC_WRITES', { ALLOW_PUBLIC_WRITES: 'yes-writes-are-public' }, 'anyone can create, change and remove goods'],
  ])('passes with %s', { timeout: 30_000 }, (_, env, said) => {
    const result = check(env);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(said);
    expect(result.stderr).toBe('');
  });
});

describe('checkDeploy', () => {
  it.each([
    ['nothing', {}],
    ['an empty API_TOKEN', { API_TOKEN: '' }],
    ['ALLOW_PUBLIC_WRITES=yes', { ALLOW_PUBLIC_WRITES: 'yes' }],
    ['ALLOW_PUBLIC_WRITES=true', { ALLOW_PUBLIC_WRITES: 'true' }],
    ['both the token and public writes', { API_TOKEN: 's3cret', ALLOW_PUBLIC_WRITES: 'yes-writes-are-public' }],
  ])('refuses %s', (_, env) => {
    const result = checkDeploy(env);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^deploy refused: /);
  });

  it('names both ways out when nothing is set', () => {
    const { message } = checkDeploy({});
    expect(message).toContain('API_TOKEN is not set');
    expect(message).toContain('ALLOW_PUBLIC_WRITES=yes-writes-are-public');
  });

  it('allows the token, or public writes said in full', () => {
    expect(checkDeploy({ API_TOKEN: 's3cret' }).ok).toBe(true);
    expect(checkDeploy({ ALLOW_PUBLIC_WRITES: 'yes-writes-are-public' }).ok).toBe(true);
  });
});
