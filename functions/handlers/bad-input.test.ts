import { describe, expect, it } from 'vitest';
import { apiRequest, readResponse } from '../../test/support/api.ts';
import { cases, expectRejected } from '../../test/support/bad-input-cases.ts';
import { fakeAdapters } from '../../test/support/fake-adapters.ts';
import { createApp } from '../app.ts';

// The contract's whole bad-input matrix, at the handler level: each case is answered without
// a statement sent to Postgres, an invalidation or a published event.
describe('bad input, handler level', () => {
  it('has at least 40 distinct cases', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('$name → $status, and nothing written', async (c) => {
    const fakes = fakeAdapters();
    const app = createApp(fakes.adapters);
    const response = await readResponse(await app.fetch(apiRequest(c.method, c.path, { ...c.options, base: 'http://edge.test' }), {}));
    expectRejected(response, c);
    await fakes.settle();
    expect({ queries: fakes.queries, published: fakes.published, invalidations: fakes.invalidations }).toEqual({
      queries: [],
      published: [],
      invalidations: 0,
    });
  });
});
