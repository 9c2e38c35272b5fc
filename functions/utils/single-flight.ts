/**
 * Shares one run per key: whoever asks within `ttlMs` of a run's start gets that run's promise,
 * whether it has settled yet or not. Counted from the start, not the end, so that a run that
 * never settles (its request was cancelled, and its I/O with it) is given up on after `ttlMs`.
 * A caller that passes a `tag` shares only a run started under the same tag; a run under another
 * tag replaces it, so each key holds one run whatever the tags.
 */
export function singleFlight<T>(
  ttlMs: number,
  now: () => number = () => Date.now(),
): (key: string, run: () => Promise<T>, tag?: string) => Promise<T> {
  const runs = new Map<string, { startedAt: number; tag: string; result: Promise<T> }>();
  return (key, run, tag = '') => {
    const startedAt = now();
    const current = runs.get(key);
    if (current && current.tag === tag && startedAt - current.startedAt < ttlMs) return current.result;
    const result = run();
    runs.set(key, { startedAt, tag, result });
    return result;
  };
}
