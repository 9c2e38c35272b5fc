import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/openapi/document.ts';
import { routes } from '../../functions/routes.ts';
import { ROOT } from '../support/env.ts';

const run = promisify(execFile);

/**
 * Findings of the recommended rules that stand, each with its reason. /healthz answers every GET
 * with the state of the dependencies: there is no client error it could report.
 */
const ACCEPTED = [{ ruleId: 'operation-4xx-response', pointer: '#/paths/~1healthz/get/responses' }];

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

describe('/openapi.json under redocly lint (recommended rules)', () => {
  it('has no errors, and no warning beyond the accepted ones', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(openApiDocument(routes)));
      const lint = run(`${ROOT}node_modules/.bin/redocly`, ['lint', file, '--extends', 'recommended', '--format', 'json'], {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
      // A failed lint exits non-zero with the same report on stdout.
      const { stdout } = await lint.catch((error: { stdout: string }) => error);
      const report = JSON.parse(stdout) as LintReport;
      const found = report.problems.map((p) => ({ ruleId: p.ruleId, pointer: p.location[0]?.pointer, message: p.message }));
      expect(found.filter((p) => !ACCEPTED.some((a) => a.ruleId === p.ruleId && a.pointer === p.pointer))).toEqual([]);
      expect(report.totals.errors).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
