/** One JSON object per line on stdout; `msg` names the event. */
export type Log = (msg: string, fields?: Record<string, unknown>) => void;

export function createJsonLog(write: (line: string) => void = (line) => process.stdout.write(line)): Log {
  return (msg, fields = {}) => {
    write(`${JSON.stringify({ msg, ...fields, time: new Date().toISOString() })}\n`);
  };
}

/** A readable message, also for the non-Error values some clients reject with (e.g. a WebSocket ErrorEvent). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (error && typeof error === 'object') {
    const inner = (error as { message?: unknown; error?: unknown }).message ?? (error as { error?: unknown }).error;
    if (inner !== undefined && inner !== error) return errorMessage(inner);
    return JSON.stringify(error) ?? String(error);
  }
  return String(error);
}
