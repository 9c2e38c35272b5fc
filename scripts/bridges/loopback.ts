// Shared bits of the local protocol bridges: loopback-only listening, small HTTP helpers,
// and running a bridge as a CLI with clean shutdown.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and "localhost". */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

export function assertLoopback(host: string, what: string): void {
  if (!isLoopbackHost(host)) {
    throw new Error(
      `${what}: refusing to listen on non-loopback address "${host}"; ` +
        'this is a local dev/test stand-in, use 127.0.0.1, ::1 or localhost',
    );
  }
}

/** Listen on a loopback address only; resolves with the bound port (useful with port 0). */
export async function listenLoopback(server: Server, port: number, host: string, what: string): Promise<number> {
  assertLoopback(host, what);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error(`${what}: unexpected server address`);
  return addr.port;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

/** Answers GET /stats and POST /stats/reset (no auth); returns false for any other request. */
export function handleStatsRoute(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  stats: { snapshot(): unknown; reset(): void },
): boolean {
  if (pathname === '/stats' && req.method === 'GET') {
    sendJson(res, 200, stats.snapshot());
    return true;
  }
  if (pathname === '/stats/reset' && req.method === 'POST') {
    stats.reset();
    sendJson(res, 200, { ok: true });
    return true;
  }
  return false;
}

/** Start a bridge from the command line and close it on SIGTERM/SIGINT. */
export function runCli(name: string, start: () => Promise<{ port: number; close(): Promise<void> }>): void {
  start().then(
    (bridge) => {
      console.log(`${name} listening on 127.0.0.1:${bridge.port}`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`${name}: ${signal}, shutting down`);
        const force = setTimeout(() => process.exit(1), 5000);
        force.unref();
        bridge.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      // Started by the local stack or a benchmark, it goes with them, even when they die unannounced.
      const parent = process.ppid;
      setInterval(() => parent !== process.ppid && stop('parent gone'), 1_000).unref();
    },
    (err: unknown) => {
      console.error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
