/** One JSON object per line, `msg` naming the event: the shape the ingest worker logs in too. */
export type Log = (msg: string, fields?: Record<string, unknown>) => void;

/** A log whose every line carries `context` (the request id, say). */
export function createLog(context: Record<string, unknown> = {}): Log {
  return (msg, fields = {}) => console.log(JSON.stringify({ msg, ...context, ...fields, time: new Date().toISOString() }));
}
