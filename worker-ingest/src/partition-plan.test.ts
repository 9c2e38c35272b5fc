import { describe, expect, it } from 'vitest';
import type { Lease } from './leases.ts';
import { planPartitions } from './partition-plan.ts';

const lease = (partition: number, holder: string, live = true): Lease => ({ partition, holder, live });
const plan = (me: string, partitions: number, workers: string[], leases: Lease[], running: number[] = [], offered: number[] = []) =>
  planPartitions({ me, partitions, state: { workers, leases }, running: new Set(running), offered: new Set(offered) });

describe('planPartitions', () => {
  it('a lone worker takes every partition', () => {
    expect(plan('a', 3, ['a'], [])).toEqual({ stop: [], resume: [], offer: undefined, claim: [0, 1, 2] });
  });

  it('a worker that joins takes nothing held; the one holding the most offers one', () => {
    const leases = [lease(0, 'a'), lease(1, 'a')];
    expect(plan('b', 2, ['a', 'b'], leases)).toEqual({ stop: [], resume: [], offer: undefined, claim: [] });
    expect(plan('a', 2, ['a', 'b'], leases, [0, 1])).toEqual({ stop: [], resume: [], offer: 1, claim: [] });
    // Offered (run out) and not yet taken: the newcomer takes it, the offerer does not take it back.
    const offered = [lease(0, 'a'), lease(1, 'a', false)];
    expect(plan('b', 2, ['a', 'b'], offered).claim).toEqual([1]);
    expect(plan('a', 2, ['a', 'b'], offered, [0, 1], [1])).toEqual({ stop: [], resume: [], offer: undefined, claim: [] });
  });

  it('a worker stops a partition another took, and one past P', () => {
    expect(plan('a', 2, ['a', 'b'], [lease(0, 'a'), lease(1, 'b'), lease(2, 'a')], [0, 1, 2]).stop).toEqual([1, 2]);
  });

  it("a dead worker's partitions go to the survivors once its leases ran out", () => {
    const leases = [lease(0, 'a'), lease(1, 'b', false), lease(2, 'b', false), lease(3, 'a')];
    expect(plan('a', 4, ['a'], leases, [0, 3]).claim).toEqual([1, 2]);
  });

  it('three workers on four partitions settle at 2, 1, 1 with one offer at a time', () => {
    const leases = [lease(0, 'a'), lease(1, 'a'), lease(2, 'b'), lease(3, 'b')];
    // c holds nothing (below ⌊4/3⌋ = 1): only the first of the two richest offers.
    expect(plan('a', 4, ['a', 'b', 'c'], leases, [0, 1]).offer).toBe(1);
    expect(plan('b', 4, ['a', 'b', 'c'], leases, [2, 3]).offer).toBeUndefined();
    // Once c has one, nobody is below the floor: nothing moves.
    const settled = [lease(0, 'a'), lease(1, 'c'), lease(2, 'b'), lease(3, 'b')];
    for (const me of ['a', 'b', 'c']) expect(plan(me, 4, ['a', 'b', 'c'], settled)).toMatchObject({ offer: undefined, claim: [] });
  });

  it('a worker restarted under the same name resumes the partitions it still holds', () => {
    expect(plan('a', 2, ['a', 'b'], [lease(0, 'a'), lease(1, 'b')])).toMatchObject({ resume: [0], claim: [] });
    expect(plan('a', 2, ['a', 'b'], [lease(0, 'a'), lease(1, 'b')], [0]).resume).toEqual([]);
  });

  it('more workers than partitions: the spare ones wait', () => {
    expect(plan('c', 2, ['a', 'b', 'c'], [lease(0, 'a'), lease(1, 'b')])).toEqual({ stop: [], resume: [], offer: undefined, claim: [] });
  });
});
