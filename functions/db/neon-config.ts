import { neonConfig } from '@neondatabase/serverless';

/**
 * Points the Neon driver at a plain-WebSocket proxy (the local bridge, or Neon's wsproxy in
 * docker-compose) when one is configured; without it the driver talks to Neon itself.
 * `pipelineConnect: "password"` sends startup and password without waiting for the server,
 * which needs a cleartext `password` pg_hba rule on the local cluster.
 */
export function configureNeon(wsProxy: string | undefined): void {
  neonConfig.pipelineConnect = 'password';
  if (!wsProxy) return;
  neonConfig.wsProxy = (host, port) => `${wsProxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
}
