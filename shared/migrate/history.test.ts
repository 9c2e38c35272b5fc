import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type MigrationFile, pendingMigrations, readMigrations } from './history.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function folder(files: Record<string, string>): MigrationFile[] {
  dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return readMigrations(dir);
}

const recorded = (files: MigrationFile[]) => new Map(files.map((f) => [f.version, f.checksum as string | null]));

describe('migration history', () => {
  it('reads *.sql files in name order, each with the checksum of its content', () => {
    const files = folder({ '0002_b.sql': 'SELECT 2;', 'notes.txt': 'x', '0001_a.sql': 'SELECT 1;' });
    expect(files.map((f) => f.version)).toEqual(['0001_a.sql', '0002_b.sql']);
    expect(files[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(files[0]!.checksum).not.toBe(files[1]!.checksum);
  });

  it('pending: the files after the applied ones; none on a database that is up to date', () => {
    const files = folder({ '0001_a.sql': 'SELECT 1;', '0002_b.sql': 'SELECT 2;' });
    expect(pendingMigrations(files, new Map()).map((f) => f.version)).toEqual(['0001_a.sql', '0002_b.sql']);
    expect(pendingMigrations(files, recorded(files.slice(0, 1))).map((f) => f.version)).toEqual(['0002_b.sql']);
    expect(pendingMigrations(files, recorded(files))).toEqual([]);
  });

  it('trusts a record without a checksum, as records made before checksums were kept', () => {
    const files = folder({ '0001_a.sql': 'SELECT 1;' });
    expect(pendingMigrations(files, new Map([['0001_a.sql', null]]))).toEqual([]);
  });

  it('refuses a folder that disagrees with the database', () => {
    const files = folder({ '0001_a.sql': 'SELECT 1;', '0002_b.sql': 'SELECT 2;', '0003_c.sql': 'SELECT 3;' });
    const [a, b, c] = files as [MigrationFile, MigrationFile, MigrationFile];
    expect(() => pendingMigrations(files, new Map([[a.version, 'other']]))).toThrow(
      'migration 0001_a.sql was changed after it was applied',
    );
    expect(() => pendingMigrations(files, new Map([['0000_old.sql', 'x']]))).toThrow(
      'migration 0000_old.sql was applied but its file is gone',
    );
    expect(() => pendingMigrations(files, recorded([a, c]))).toThrow(`migration ${b.version} sorts before 0003_c.sql, which is applied`);
  });
});
