import { describe, expect, it } from 'vitest';
import { withSection } from '../bench/report.ts';

describe('BENCHMARKS.md sections', () => {
  it('appends a new section and replaces an old one in place, leaving the others', () => {
    const first = withSection('# Benchmarks\n', 'api', 'api 1');
    const both = withSection(first, 'ingest', 'ingest 1');
    expect(withSection(both, 'api', 'api 2')).toBe(
      '# Benchmarks\n\n<!-- bench:api -->\napi 2\n<!-- /bench:api -->\n\n<!-- bench:ingest -->\ningest 1\n<!-- /bench:ingest -->\n',
    );
  });
});
