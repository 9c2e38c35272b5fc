export interface BackoffOptions {
  /** First wait; doubles per failure up to maxMs, with ±20 % jitter. */
  minMs?: number;
  maxMs?: number;
  /** Stops retrying: the pending wait ends and retry() rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each failure, before the wait. */
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
}

export function backoffDelay(attempt: number, minMs = 200, maxMs = 10_000, random = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fn` until it succeeds, waiting longer after each failure; only the signal ends it early. */
export async function retry<T>(fn: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn();
    } catch (error) {
      const waitMs = backoffDelay(attempt, options.minMs, options.maxMs);
      options.onRetry?.(error, attempt, waitMs);
      await sleep(waitMs, options.signal);
    }
  }
}
