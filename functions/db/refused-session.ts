/**
 * SQLSTATEs with which Postgres turns a session away at startup, before it runs any statement
 * (pipelined ones included): trying again on a new connection cannot apply a write twice.
 * 53300 too_many_connections (all slots, or a role's or database's limit, taken);
 * 57P03 cannot_connect_now (starting up, shutting down, in recovery).
 */
const REFUSED_AT_STARTUP = new Set(['53300', '57P03']);

export function isRefusedSession(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && REFUSED_AT_STARTUP.has(code);
}

/**
 * Waits before attempt `attempt` (1, 2, …) after a refused session; undefined once the budget
 * (about 2 s in all) is spent. Jittered, so a refused burst does not come back all at once.
 */
export function refusedSessionDelayMs(attempt: number, random: () => number = Math.random): number | undefined {
  const base = [25, 50, 100, 200, 400, 800][attempt - 1];
  return base === undefined ? undefined : Math.round(base * (0.5 + random()));
}
