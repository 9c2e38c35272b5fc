import { describe, expect, it } from 'vitest';
import { createReplicas, onReplica } from './replicas.ts';

describe('replicas', () => {
  it('stays on a replica while it answers, moves to the next when it fails, round the list', async () => {
    const moves: [number, number][] = [];
    const replicas = createReplicas(['a', 'b', 'c'], (from, to) => moves.push([from, to]));
    expect(await onReplica(replicas, async (c) => c)).toBe('a');
    expect(await onReplica(replicas, async (c) => c)).toBe('a');
    await expect(onReplica(replicas, async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(replicas.current()).toBe('b');
    replicas.failed('b');
    replicas.failed('c');
    expect(replicas.current()).toBe('a');
    expect(moves).toEqual([
      [0, 1],
      [1, 2],
      [2, 0],
    ]);
  });

  it('does not move twice when two callers saw the same replica fail', () => {
    const replicas = createReplicas(['a', 'b', 'c']);
    replicas.failed('a');
    replicas.failed('a');
    expect(replicas.current()).toBe('b');
  });

  it('keeps a single server', () => {
    const replicas = createReplicas(['only']);
    replicas.failed('only');
    expect(replicas.current()).toBe('only');
  });
});
