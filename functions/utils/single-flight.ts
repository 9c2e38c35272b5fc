/**
 * Shares one run per key: whoever asks within `ttlMs` of a run's start gets that run's promise,
 * whether it has settled yet or not. Counted from the start, not the end, so that a run that
 * never settles (its request was cancelled, and its I/O with it) is given up on after `ttlMs`.
 */
export function singleFlight<T>(ttlMs: number, now: () => number = () => Date.now()): (key: string, run: () => Promise<T>) => Promise<T> {
  const runs = new Map<string, { startedAt: number; result: Promise<T> }>();
  return (key, run) => {
    const startedAt = now();
    const current = runs.get(key);
    if (current && startedAt - current.startedAt < ttlMs) return current.result;
    const result = run();
    runs.set(key, { startedAt, result });
    return result;
  };
}
