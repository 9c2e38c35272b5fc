// The architecture as a rule on imports, checked by test/unit/boundaries.test.ts:
//   edge (functions/)      may import the edge and shared
//   worker (worker-ingest/) may import the worker and shared
//   shared (shared/)       may import shared only
//   tooling (scripts/) may import anything but tests; tests (test/, *.test.ts) anything
// and a package that production code (edge, worker, shared) loads at run time must be a
// runtime dependency.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

export type Part = 'edge' | 'worker' | 'shared' | 'tooling' | 'tests';

const ALLOWED: Record<Part, Part[] | 'any'> = {
  edge: ['edge', 'shared'],
  worker: ['worker', 'shared'],
  shared: ['shared'],
  tooling: ['edge', 'worker', 'shared', 'tooling'],
  tests: 'any',
};

export function partOf(file: string): Part | undefined {
  if (file.endsWith('.test.ts') || file.startsWith('test/')) return 'tests';
  if (file.startsWith('functions/')) return 'edge';
  if (file.startsWith('worker-ingest/')) return 'worker';
  if (file.startsWith('shared/')) return 'shared';
  if (file.startsWith('scripts/')) return 'tooling';
  return undefined;
}

export interface Import {
  from: string;
  specifier: string;
  /** `import type`: erased at build time. */
  typeOnly: boolean;
}

const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm;

export function importsOf(file: string, source: string): Import[] {
  return [...source.matchAll(IMPORT)].map((m) => ({ from: file, specifier: m[2]!, typeOnly: Boolean(m[1]) }));
}

function sourceFiles(root: string, dir = ''): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sourceFiles(root, path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** The package name of a bare specifier: `@scope/name/sub` → `@scope/name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every import that breaks the rules above, as readable lines. */
export function boundaryViolations(root: string, files = sourceFiles(root)): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
  const problems: string[] = [];
  for (const file of files) {
    const part = partOf(file);
    if (!part) continue;
    const allowed = ALLOWED[part];
    if (allowed === 'any') continue;
    for (const { specifier, typeOnly } of importsOf(file, readFileSync(join(root, file), 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = normalize(relative(root, join(root, dirname(file), specifier)));
        const targetPart = partOf(target);
        if (!targetPart || !allowed.includes(targetPart))
          problems.push(`${file} (${part}) imports ${target} (${targetPart ?? 'outside the parts'})`);
      } else if (part !== 'tooling' && !specifier.startsWith('node:') && !typeOnly && !runtime.has(packageName(specifier))) {
        problems.push(`${file} (${part}) loads ${packageName(specifier)}, which is not a runtime dependency`);
      }
    }
  }
  return problems;
}
