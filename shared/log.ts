/** One JSON object per line, `msg` naming the event: the edge and the ingest worker log alike. */
export type Log = (msg: string, fields?: Record<string, unknown>) => void;

/**
 * A log whose every line carries `context` (a request id, say). Lines go to `console.log` by
 * default, which workerd and Node both send to stdout.
 */
export function createLog(context: Record<string, unknown> = {}, write: (line: string) => void = console.log): Log {
  return (msg, fields = {}) => write(JSON.stringify({ msg, ...context, ...fields, time: new Date().toISOString() }));
}

/** A readable message, also for the non-Error values some clients reject with (a WebSocket ErrorEvent). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (error && typeof error === 'object') {
    const inner = (error as { message?: unknown; error?: unknown }).message ?? (error as { error?: unknown }).error;
    if (inner !== undefined && inner !== error) return errorMessage(inner);
    return JSON.stringify(error) ?? String(error);
  }
  return String(error);
}
