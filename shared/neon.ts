import { neonConfig } from '@neondatabase/serverless';

/**
 * Points the Neon driver at a plain-WebSocket proxy (the local bridge, or Neon's wsproxy in
 * docker-compose) when one is configured; without it the driver talks to Neon itself.
 * `pipelineConnect: "password"` (the default) sends startup, password and the first query
 * without waiting for the server, which needs a cleartext `password` pg_hba rule locally.
 * Long-running Node processes turn it off: they connect rarely, and a refused login then
 * surfaces as Postgres's own message instead of a dropped connection.
 */
export function configureNeon(wsProxy: string | undefined, pipelineConnect = true): void {
  neonConfig.pipelineConnect = pipelineConnect ? 'password' : false;
  if (!wsProxy) return;
  neonConfig.wsProxy = (host, port) => `${wsProxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
}
