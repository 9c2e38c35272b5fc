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

/**
 * A client's settings from the Worker's bindings: each field from the binding `fields` names for
 * it ('' when unset), and `unset`, the bindings it lacks, for requireBindings to refuse each use.
 */
export function fromBindings<F extends string, K extends string>(
  env: { [P in K]?: string | undefined },
  fields: Record<F, K>,
): Record<F, string> & { unset: K[] } {
  const entries = Object.entries(fields) as [F, K][];
  const settings = Object.fromEntries(entries.map(([field, name]) => [field, env[name] ?? ''])) as Record<F, string>;
  return {
    ...settings,
    unset: unsetBindings(
      env,
      entries.map(([, name]) => name),
    ),
  };
}
