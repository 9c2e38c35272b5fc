/** `work`'s value, or `fallback` when it fails or takes longer than `ms`: a metrics scrape must not hang. */
export function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  const late = new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref());
  return Promise.race([work.catch(() => fallback), late]);
}
