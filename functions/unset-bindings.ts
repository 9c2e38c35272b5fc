/**
 * The bindings a client needs but the Worker lacks. A Worker has no start-up to fail, so the
 * client refuses each use instead, naming them (a request's error, `/healthz`), rather than
 * connecting as nobody or as a server's `default`.
 */
export function unsetBindings<K extends string>(env: { [P in K]?: string | undefined }, names: readonly K[]): K[] {
  return names.filter((name) => !env[name]);
}

/** Throws naming the `unset` bindings, if any. */
export function requireBindings(unset: readonly string[]): void {
  if (unset.length > 0) throw new Error(`${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set`);
}
