import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpEndpoints {
  metrics: () => unknown;
  /** The Prometheus text format and its content type. */
  prometheus: () => Promise<{ contentType: string; body: string }>;
  /** `ok: false` answers 503. */
  health: () => { ok: boolean } & Record<string, unknown>;
}

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

/** GET /metrics (Prometheus), GET /metrics.json (the counters as JSON) and GET /healthz. */
export async function startHttpServer(port: number, endpoints: HttpEndpoints, host = '0.0.0.0'): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(405, { error: 'method not allowed' });
    if (path === '/metrics.json') return send(200, endpoints.metrics());
    if (path === '/metrics') {
      endpoints.prometheus().then(
        ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (error: unknown) => send(500, { error: String(error) }),
      );
      return;
    }
    if (path === '/healthz') {
      const health = endpoints.health();
      return send(health.ok ? 200 : 503, health);
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
