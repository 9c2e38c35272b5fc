/** How long one Redis request may take: a slow or absent Redis must not hold up its caller. */
const REQUEST_TIMEOUT_MS = 1_500;

/**
 * The one configuration of the Upstash Redis client, for the edge and the worker alike: no
 * retries and a short timeout (a caller that cannot reach Redis carries on without it), replies
 * as Redis sends them, no telemetry.
 */
export function upstashConfig(url: string, token: string) {
  return {
    url,
    token,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: false as const,
    signal: () => AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  };
}
