/** A write's Idempotency-Key, and the digest of the request it was sent with. */
export interface IdempotencyKey {
  key: string;
  request: string;
}

/** What a write came to: run now, or not run because of its key (migration 0010). */
export type Keyed<T> = { kind: 'ran'; value: T } | { kind: 'replayed'; value: T } | { kind: 'mismatch' } | { kind: 'inProgress' };

/** goods_begin_keyed_write's answer; NULL (no prior) when this request ran the write. */
export type Prior = { replay: unknown } | { mismatch: true } | { inProgress: true };

/** The outcome of a write from its prior and its fresh result, each read by `read`. */
export function keyedOutcome<T>(prior: Prior | null | undefined, fresh: unknown, read: (stored: unknown) => T): Keyed<T> {
  if (!prior) return { kind: 'ran', value: read(fresh) };
  if ('replay' in prior) return { kind: 'replayed', value: read(prior.replay) };
  return 'mismatch' in prior ? { kind: 'mismatch' } : { kind: 'inProgress' };
}

/** Throws unless the key and digest can be inlined in SQL text as they are. */
export function checkInlinable(once: IdempotencyKey): void {
  if (!/^[A-Za-z0-9._:-]{1,255}$/.test(once.key) || !/^[0-9a-f]{64}$/.test(once.request)) {
    throw new Error('an idempotency key or request digest that cannot be inlined');
  }
}
