import { describe, expect, it } from 'vitest';
import { eventSubject, PARTITION_SLOTS, partitionCount, partitionOf, partitionSubjects, slotOf } from './partitions.ts';

describe('partitions', () => {
  it('puts every project in one slot, and every slot in one partition of any P', () => {
    expect([0, 1, 63, 64, 65, -1].map(slotOf)).toEqual([0, 1, 63, 0, 1, 63]);
    for (const partitions of [1, 2, 3, 5, PARTITION_SLOTS]) {
      for (let projectId = -200; projectId < 200; projectId++) {
        // A project's partition follows from its slot alone: the lock (per slot) never splits a partition's project.
        expect(partitionOf(projectId, partitions)).toBe(slotOf(projectId) % partitions);
      }
    }
  });

  it('spreads sequential projects evenly over a P that divides the slots', () => {
    const counts = [0, 0, 0, 0];
    for (let projectId = 1; projectId <= 4_000; projectId++) counts[partitionOf(projectId, 4)]!++;
    expect(counts).toEqual([1000, 1000, 1000, 1000]);
  });

  it("names a project's subject with its partition, inside the partition's filter", () => {
    expect(eventSubject('goods.events', 7, 2)).toBe('goods.events.1.7');
    expect(eventSubject('goods.events', 7, 1)).toBe('goods.events.0.7');
    expect(partitionSubjects('goods.events', 1)).toBe('goods.events.1.>');
  });

  it('takes P from 1 to the number of slots', () => {
    expect(partitionCount.safeParse('4').data).toBe(4);
    for (const bad of ['0', '65', '1.5', 'two']) expect(partitionCount.safeParse(bad).success).toBe(false);
  });
});
