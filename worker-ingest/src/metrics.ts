/** In-memory counters: GET /metrics.json as they are, GET /metrics in the Prometheus format. */
export interface Metrics {
  /** Batches written (each confirmed by ClickHouse, then acked). */
  batches: number;
  /** INSERT statements sent to ClickHouse that succeeded (a batch of only duplicates sends none). */
  inserts: number;
  eventsInserted: number;
  /** Events skipped because they repeat within a batch or are already in goods_log. */
  duplicatesSkipped: number;
  /** Messages that are not a valid event: logged and terminated. */
  malformed: number;
  /** Failed ClickHouse attempts that were retried. */
  retries: number;
  /** Messages taken from JetStream (valid ones, before batching). */
  received: number;
  /** Messages JetStream delivered more than once (an ack that did not arrive in time). */
  redelivered: number;
  relayPublished: number;
  /** Relay publishes that stored a further copy of an event whose earlier copy had left the stream without reaching goods_log. */
  relayCopies: number;
  relayFailed: number;
  outboxDeleted: number;
  /** Bumps of the API's list cache generation by the backstop (at start, and for writes that could not invalidate). */
  listCacheBumps: number;
  /** Milliseconds from the oldest eventTime of the last batch to its confirmation. */
  lastLagMs: number;
}

export function createMetrics(): Metrics {
  return {
    batches: 0,
    inserts: 0,
    eventsInserted: 0,
    duplicatesSkipped: 0,
    malformed: 0,
    retries: 0,
    received: 0,
    redelivered: 0,
    relayPublished: 0,
    relayCopies: 0,
    relayFailed: 0,
    outboxDeleted: 0,
    listCacheBumps: 0,
    lastLagMs: 0,
  };
}
