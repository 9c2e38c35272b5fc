import type { LeaseState } from './leases.ts';

export interface PlanInput {
  me: string;
  /** P, this worker's INGEST_PARTITIONS. */
  partitions: number;
  state: LeaseState;
  /** The partitions this worker consumes now. */
  running: ReadonlySet<number>;
  /** Partitions whose lease this worker let run out for another to take (it consumes them until then). */
  offered: ReadonlySet<number>;
}

export interface Plan {
  /** Partitions to stop consuming: another worker holds them now, or they are past P. */
  stop: number[];
  /** Partitions this worker holds and does not consume yet (a worker restarted under the same id). */
  resume: number[];
  /** A partition whose lease to offer: this worker holds more than its share. */
  offer: number | undefined;
  /** Free partitions to try to take, in order of preference. */
  claim: number[];
}

/**
 * One worker's next step in sharing P partitions among the live workers: each should hold
 * ⌊P/n⌋ or ⌈P/n⌉. A worker below ⌊P/n⌋ takes free partitions up to ⌊P/n⌋; while one is below it,
 * the worker holding the most offers one of its own (one at a time, so the others do not all
 * give up theirs at once); when nobody is below it, free partitions go to anyone below ⌈P/n⌉.
 */
export function planPartitions({ me, partitions, state, running, offered }: PlanInput): Plan {
  const live = state.leases.filter((l) => l.live && l.partition < partitions);
  const holderOf = new Map(state.leases.map((l) => [l.partition, l.holder]));
  const workers = state.workers.includes(me) ? state.workers : [...state.workers, me].sort();
  const held = new Map(workers.map((w) => [w, 0]));
  for (const lease of live) if (held.has(lease.holder)) held.set(lease.holder, held.get(lease.holder)! + 1);

  const floor = Math.floor(partitions / workers.length);
  const ceil = Math.ceil(partitions / workers.length);
  const mine = held.get(me)!;
  const needy = workers.some((w) => held.get(w)! < floor);

  const stop = [...running].filter((p) => p >= partitions || holderOf.get(p) !== me).sort((a, b) => a - b);
  const resume = live.filter((l) => l.holder === me && !running.has(l.partition)).map((l) => l.partition);

  let offer: number | undefined;
  // One worker gives: the one holding the most, the first by name among equals.
  const richest = [...workers].sort((a, b) => held.get(b)! - held.get(a)! || (a < b ? -1 : 1))[0];
  if (offered.size === 0 && (mine > ceil || (mine > floor && needy && richest === me))) {
    offer = Math.max(...live.filter((l) => l.holder === me).map((l) => l.partition));
  }

  const target = mine < floor ? floor : needy ? mine : ceil;
  const free = Array.from({ length: partitions }, (_, p) => p).filter((p) => !live.some((l) => l.partition === p));
  return { stop, resume, offer, claim: free.slice(0, Math.max(0, target - mine)) };
}
