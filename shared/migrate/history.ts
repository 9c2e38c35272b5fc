import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MigrationFile {
  version: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

/** The `*.sql` files of `dir` in name order, which is the order they apply in. */
export function readMigrations(dir: string): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((version) => {
      const sql = readFileSync(join(dir, version), 'utf8');
      return { version, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export function listMigrations(dir: string): string[] {
  return readMigrations(dir).map((m) => m.version);
}

/**
 * The files still to apply, after checking them against what the database recorded (version →
 * checksum; null where a record predates checksums). A database and a folder that disagree
 * stop the run: a recorded file that changed or is gone, or a new file that sorts before one
 * already applied (it would run after it here, but before it on a fresh database).
 */
export function pendingMigrations(files: MigrationFile[], recorded: ReadonlyMap<string, string | null>): MigrationFile[] {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  for (const [version, checksum] of recorded) {
    const file = byVersion.get(version);
    if (!file) throw new Error(`migration ${version} was applied but its file is gone; restore it`);
    if (checksum !== null && checksum !== file.checksum) {
      throw new Error(`migration ${version} was changed after it was applied; add a new migration instead`);
    }
  }
  const newest = [...recorded.keys()].sort().at(-1);
  const pending = files.filter((f) => !recorded.has(f.version));
  const early = newest === undefined ? undefined : pending.find((f) => f.version < newest);
  if (early) throw new Error(`migration ${early.version} sorts before ${newest}, which is applied; rename it to come last`);
  return pending;
}
