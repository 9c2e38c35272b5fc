import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, lstatSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, testEnv } from './support/env.ts';

// As root on a fresh machine the usual place for a clone is root's home, mode 700: the postgres
// user cannot reach a data directory inside it. The services script must still start Postgres
// and PgBouncer there, without opening the home up, and find the same data again after `down`.

const home = mkdtempSync('/tmp/closed-home-');
const checkout = join(home, 'goods-edge');
const ports = { PG_PORT: testEnv.CLOSED_PG_PORT!, PGBOUNCER_PORT: testEnv.CLOSED_PGBOUNCER_PORT! };
const env = {
  PATH: process.env.PATH ?? '',
  ...ports,
  DIRECT_URL: `postgres://goods:goods@127.0.0.1:${ports.PG_PORT}/goods`,
};
const isRoot = process.getuid?.() === 0;

function services(...args: string[]): string {
  return execFileSync('bash', [join(checkout, 'scripts/services.sh'), ...args], { env, encoding: 'utf8', stdio: 'pipe' });
}

function sql(port: string, query: string): string {
  return execFileSync('psql', ['-h', '127.0.0.1', '-p', port, '-U', 'goods', '-d', 'goods', '-qtAX', '-c', query], {
    env: { ...env, PGPASSWORD: 'goods' },
    encoding: 'utf8',
  }).trim();
}

afterAll(() => {
  const data = join(checkout, '.data/postgres');
  const outside = lstatSync(data, { throwIfNoEntry: false })?.isSymbolicLink() ? readlinkSync(data) : undefined;
  try {
    services('down', 'pgbouncer', 'postgres');
  } finally {
    rmSync(home, { recursive: true, force: true });
    if (outside) rmSync(join(outside, '..'), { recursive: true, force: true });
  }
});

describe('a checkout inside a mode-700 home directory', () => {
  it('runs Postgres and PgBouncer, keeps the home closed, and finds its data again after down/up', { timeout: 120_000 }, () => {
    // What services.sh needs of a checkout: itself, the settings and their loader, the packages.
    for (const file of [
      'scripts/services.sh',
      'scripts/lib/cluster-services.sh',
      'scripts/local.env',
      'scripts/lib/profile.ts',
      'scripts/lib/processes.ts',
      'scripts/lib/stack-settings.ts',
      'shared/settings.ts',
      'shared/partitions.ts',
    ])
      cpSync(join(ROOT, file), join(checkout, file));
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    execFileSync('chmod', ['700', home]);

    services('up', 'postgres', 'pgbouncer');
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const postgresData = lstatSync(join(checkout, '.data/postgres'));
    if (isRoot) {
      // Run as the postgres user: out of the closed home, where that user can reach it.
      expect(postgresData.isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(checkout, '.data/postgres'))).toMatch(/^\/var\/lib\/goods-edge\/[0-9a-f]{16}\/postgres$/);
      expect(lstatSync(join(checkout, '.data/pgbouncer')).isSymbolicLink()).toBe(true);
    } else {
      // Run as the user who owns the home: the data stays in the checkout, nothing is moved out.
      expect(postgresData.isDirectory()).toBe(true);
      expect(lstatSync(join(checkout, '.data/pgbouncer')).isDirectory()).toBe(true);
    }
    sql(ports.PGBOUNCER_PORT, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');

    services('down', 'pgbouncer', 'postgres');
    const status = spawnSync('bash', [join(checkout, 'scripts/services.sh'), 'status', 'postgres', 'pgbouncer'], { env, encoding: 'utf8' });
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(/^postgres +down/m);
    expect(status.stdout).toMatch(/^pgbouncer +down/m);
    services('up', 'postgres', 'pgbouncer');
    expect(sql(ports.PGBOUNCER_PORT, 'SELECT n FROM kept')).toBe('42');
    expect(sql(ports.PG_PORT, 'SELECT n FROM kept')).toBe('42');
  });
});
