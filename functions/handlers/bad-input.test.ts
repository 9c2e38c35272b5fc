import { describe, expect, it } from 'vitest';
import { cases, expectRejected } from '../../test/support/bad-input-cases.ts';
import { fakeAdapters } from '../../test/support/fake-adapters.ts';
import { sendInProcess } from '../../test/support/in-process.ts';

// The contract's whole bad-input matrix, at the handler level: each case is answered without
// a statement sent to Postgres, an invalidation or a published event.
describe('bad input, handler level', () => {
  it('has at least 40 distinct cases', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('$name → $status, and nothing written', async (c) => {
    const fakes = fakeAdapters();
    const response = await sendInProcess(fakes, c.method, c.path, c.options);
    expectRejected(response, c);
    await fakes.settle();
    expect({ queries: fakes.queries, published: fakes.published, invalidations: fakes.invalidations }).toEqual({
      queries: [],
      published: [],
      invalidations: 0,
    });
  });
});
