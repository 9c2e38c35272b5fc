import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '@neondatabase/serverless';
import { createNodePool } from '../shared/node-postgres.ts';
import { listMigrations } from '../shared/migrate/history.ts';
import { applyPostgresMigrations } from '../shared/migrate/postgres.ts';
import { testDb } from './support/db.ts';
import { databaseUrl, ROOT, testEnv } from './support/env.ts';

const DIR = `${ROOT}migrations/postgres`;
const SCRATCH = `goods_migrations_${process.pid}`;

const SCHEMA_SQL = `
  SELECT 'column' AS kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS what
    FROM information_schema.columns WHERE table_schema = 'public'
  UNION ALL SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL SELECT 'constraint', conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT 'function', p.oid::regprocedure::text FROM pg_proc p WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT 'trigger', tgname || ' on ' || tgrelid::regclass FROM pg_trigger WHERE NOT tgisinternal
  ORDER BY 1, 2`;

let scratch: Pool;

async function schema(): Promise<string[]> {
  const { rows } = await scratch.query<{ kind: string; what: string }>(SCHEMA_SQL);
  return rows.map((r) => `${r.kind}: ${r.what}`);
}

beforeAll(async () => {
  await testDb().query(`CREATE DATABASE ${SCRATCH}`);
  scratch = createNodePool(databaseUrl('DIRECT_URL', SCRATCH), `127.0.0.1:${testEnv.TEST_PG_WS_BRIDGE_PORT}`);
});

afterAll(async () => {
  await scratch.end();
  await testDb().query(`DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`);
});

describe('postgres migrations', () => {
  it('apply to an empty database, and a second run changes nothing', async () => {
    const first = await applyPostgresMigrations(scratch, DIR);
    expect(first.applied).toEqual(listMigrations(DIR));
    const before = await schema();
    const { rows: projects } = await scratch.query('SELECT id, name FROM projects');

    const second = await applyPostgresMigrations(scratch, DIR);
    expect(second).toEqual({ applied: [], skipped: listMigrations(DIR) });
    expect(await schema()).toEqual(before);
    expect((await scratch.query('SELECT id, name FROM projects')).rows).toEqual(projects);
    expect(projects).toEqual([{ id: 1, name: 'Первая запись' }]);
  });

  it('refuse a folder whose applied file changed, and fill in checksums older records lack', async () => {
    const edited = mkdtempSync(join(tmpdir(), 'pg-migrations-'));
    try {
      cpSync(DIR, edited, { recursive: true });
      writeFileSync(join(edited, '0002_goods_stats.sql'), '-- edited\nSELECT 1;\n');
      await expect(applyPostgresMigrations(scratch, edited)).rejects.toThrow(/0002_goods_stats.sql was changed after it was applied/);
    } finally {
      rmSync(edited, { recursive: true, force: true });
    }
    const checksums = async () => (await scratch.query('SELECT version, checksum FROM schema_migrations ORDER BY version')).rows;
    const before = await checksums();
    await scratch.query("UPDATE schema_migrations SET checksum = NULL WHERE version = '0001_projects_and_goods.sql'");
    expect(await applyPostgresMigrations(scratch, DIR)).toEqual({ applied: [], skipped: listMigrations(DIR) });
    expect(await checksums()).toEqual(before);
  });

  it('create the schema of the contract', async () => {
    const all = (await schema()).join('\n');
    expect(all).toContain('constraint: goods PRIMARY KEY (id, project_id)');
    expect(all).toContain('constraint: goods FOREIGN KEY (project_id) REFERENCES projects(id)');
    expect(all).toMatch(/index: CREATE INDEX goods_project_id_idx ON public.goods USING btree \(project_id\)/);
    expect(all).toMatch(/index: CREATE INDEX goods_name_idx ON public.goods USING btree \(name\)/);
    // The list's order: sort_key orders goods as (priority, id) do (migration 0008); no index
    // covers priority, so that shifting priorities is a heap-only update.
    expect(all).toMatch(/index: CREATE INDEX goods_sort_key_idx ON public.goods USING btree \(sort_key\)/);
    expect(all).not.toMatch(/index: .* ON public.goods USING btree \(priority/);
    for (const column of [
      'goods.description text NO ',
      'goods.removed boolean NO false',
      'goods.created_at timestamp with time zone NO now()',
      'projects.name character varying NO',
    ]) {
      expect(all).toContain(`column: ${column}`);
    }
  });

  it('keep counters exact and priorities distinct under multi-row statements', async () => {
    const stats = async () => (await scratch.query('SELECT total::int, removed::int FROM goods_stats')).rows[0];
    const counted = async () =>
      (await scratch.query('SELECT count(*)::int AS total, (count(*) FILTER (WHERE removed))::int AS removed FROM goods')).rows[0];
    await scratch.query("INSERT INTO goods (project_id, name) SELECT 1, 'bulk ' || n FROM generate_series(1, 20000) n");
    await scratch.query("INSERT INTO goods (project_id, name, removed) SELECT 1, 'gone ' || n, true FROM generate_series(1, 50) n");
    await scratch.query("UPDATE goods SET removed = true WHERE name IN ('bulk 1', 'bulk 2')");
    await scratch.query("DELETE FROM goods WHERE name LIKE 'bulk 1%'");
    expect(await stats()).toEqual(await counted());
    const { rows } = await scratch.query('SELECT count(*)::int AS n, count(DISTINCT priority)::int AS distinct FROM goods');
    expect(rows[0].distinct).toBe(rows[0].n);
    await scratch.query('TRUNCATE goods');
    expect(await stats()).toEqual({ total: 0, removed: 0 });
  });

  it('let the database, not the client, set priority', async () => {
    const { rows } = await scratch.query<{ priority: number }>(
      "INSERT INTO goods (project_id, name, priority) VALUES (1, 'a', 500), (1, 'b', 7) RETURNING priority",
    );
    expect(rows.map((r) => r.priority)).toEqual([1, 2]);
  });
});
