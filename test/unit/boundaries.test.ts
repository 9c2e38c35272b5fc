import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boundaryViolations, importsOf, partOf } from '../../scripts/lib/import-graph.ts';
import { ROOT } from '../../scripts/lib/profile.ts';

describe('package boundaries', () => {
  it('hold in this repository: no production code imports tooling, tests or the other deployable', () => {
    expect(boundaryViolations(ROOT)).toEqual([]);
  });

  describe('the check itself', () => {
    const root = mkdtempSync(join(tmpdir(), 'boundaries-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };
    write('package.json', JSON.stringify({ dependencies: { hono: '1' }, devDependencies: { vitest: '1' } }));
    write('functions/a.ts', "import { x } from '../scripts/lib/x.ts';\nimport { Hono } from 'hono';\n");
    write('functions/b.ts', "import { y } from '../worker-ingest/src/y.ts';\nexport { z } from '../shared/z.ts';\n");
    write('worker-ingest/src/c.ts', "import { vi } from 'vitest';\nimport type { T } from 'vitest';\n");
    write('shared/d.ts', "import { e } from '../functions/e.ts';\n");
    write('functions/e.test.ts', "import { x } from '../scripts/lib/x.ts';\n");
    write('scripts/lib/x.ts', "import { s } from '../../test/support/s.ts';\nimport { vi } from 'vitest';\n");

    it('finds each kind of breach', () => {
      expect(boundaryViolations(root).sort()).toEqual([
        'functions/a.ts (edge) imports scripts/lib/x.ts (tooling)',
        'functions/b.ts (edge) imports worker-ingest/src/y.ts (worker)',
        'scripts/lib/x.ts (tooling) imports test/support/s.ts (tests)',
        'shared/d.ts (shared) imports functions/e.ts (edge)',
        'worker-ingest/src/c.ts (worker) loads vitest, which is not a runtime dependency',
      ]);
    });

    it('reads multi-line and type-only imports', () => {
      const imports = importsOf('f.ts', "import {\n  a,\n  b,\n} from './a.ts';\nimport type { C } from 'c';\nexport * from './d.ts';");
      expect(imports.map((i) => [i.specifier, i.typeOnly])).toEqual([
        ['./a.ts', false],
        ['c', true],
        ['./d.ts', false],
      ]);
    });

    it('sorts files into parts', () => {
      expect(
        ['functions/x.ts', 'worker-ingest/src/x.ts', 'shared/x.ts', 'scripts/x.ts', 'test/x.ts', 'shared/x.test.ts'].map(partOf),
      ).toEqual(['edge', 'worker', 'shared', 'tooling', 'tests', 'tests']);
    });
  });
});
