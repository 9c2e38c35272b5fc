// Local stand-in for Neon's wsproxy: WebSocket at /v1?address=host:port <-> TCP to Postgres.
// Loopback only, allow-listed targets only. GET /stats and POST /stats/reset expose per-connection
// counts of client->server WebSocket messages, so tests can count Postgres round trips.
//
// CLI: tsx scripts/bridges/pg-ws-bridge.ts   (PG_WS_BRIDGE_PORT, PG_PORT, PGBOUNCER_PORT; falls back to scripts/local.env)
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { isMain } from '../lib/processes.ts';
import { profileEnv } from '../lib/profile.ts';
import { envPort } from '../lib/stack-settings.ts';
import { closeServer, handleStatsRoute, listenLoopback, runCli } from './loopback.ts';

export interface PgWsBridgeOptions {
  /** Port to listen on (0 = pick a free one). */
  port: number;
  /** Loopback address to listen on; default 127.0.0.1. */
  host?: string;
  /** Allowed "host:port" targets; default 127.0.0.1 and localhost at each of `pgPorts`. */
  allow?: string[];
  /** Local Postgres and PgBouncer ports, for the default allow-list. */
  pgPorts: number[];
  /** How many closed connections /stats remembers; default 200. */
  keepClosed?: number;
}

export interface ConnectionStats {
  id: number;
  target: string;
  /** WebSocket messages client -> server (each is one write of the Neon driver). */
  clientMessages: number;
  clientBytes: number;
  /** TCP chunks server -> client (depends on TCP segmentation; informational). */
  serverChunks: number;
  serverBytes: number;
  openedAt: string;
  closedAt?: string;
}

export interface PgWsBridgeStats {
  totalConnections: number;
  openConnections: number;
  rejectedUpgrades: number;
  /** Sum of clientMessages over all connections since the last reset. */
  clientMessages: number;
  open: ConnectionStats[];
  /** Oldest first. */
  recentlyClosed: ConnectionStats[];
}

export interface PgWsBridge {
  port: number;
  stats(): PgWsBridgeStats;
  resetStats(): void;
  close(): Promise<void>;
}

const PATHS = new Set(['/v1', '/v2']);

/** Postgres itself (the direct URL) and PgBouncer in front of it (the pooled one). */
export function postgresPorts(env: Record<string, string | undefined>): number[] {
  return [envPort(env, 'PG_PORT'), envPort(env, 'PGBOUNCER_PORT')];
}

function reject(socket: Duplex, status: number, reason: string, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

export async function startPgWsBridge(options: PgWsBridgeOptions): Promise<PgWsBridge> {
  const host = options.host ?? '127.0.0.1';
  const { pgPorts } = options;
  const allow = new Set(options.allow ?? pgPorts.flatMap((port) => [`127.0.0.1:${port}`, `localhost:${port}`]));
  const keepClosed = options.keepClosed ?? 200;

  let nextId = 1;
  let totalConnections = 0;
  let rejectedUpgrades = 0;
  let clientMessages = 0;
  const open = new Map<number, ConnectionStats>();
  let recentlyClosed: ConnectionStats[] = [];
  const live = new Set<{ ws: WebSocket; tcp: Socket }>();

  const stats = (): PgWsBridgeStats => ({
    totalConnections,
    openConnections: open.size,
    rejectedUpgrades,
    clientMessages,
    open: [...open.values()].map((c) => ({ ...c })),
    recentlyClosed: recentlyClosed.map((c) => ({ ...c })),
  });
  const resetStats = (): void => {
    totalConnections = rejectedUpgrades = clientMessages = 0;
    recentlyClosed = [];
    for (const c of open.values()) c.clientMessages = c.clientBytes = c.serverChunks = c.serverBytes = 0;
  };

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://bridge');
    if (handleStatsRoute(req, res, pathname, { snapshot: stats, reset: resetStats })) return;
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://bridge');
    const target = url.searchParams.get('address') ?? '';
    if (!PATHS.has(url.pathname)) {
      rejectedUpgrades++;
      return reject(socket, 404, 'Not Found', 'expected /v1?address=host:port\n');
    }
    if (!allow.has(target)) {
      rejectedUpgrades++;
      return reject(socket, 403, 'Forbidden', `target address not allowed: ${target}\n`);
    }
    const colon = target.lastIndexOf(':');
    const tcp = connect({ host: target.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(target.slice(colon + 1)) });
    tcp.setNoDelay(true);
    // Dial first, then accept the upgrade: a dead Postgres shows up as a clear 502 for the client.
    let upgraded = false;
    let piped = false;
    tcp.on('error', (err) => {
      if (upgraded) return; // handled in pipe() (or the handshake failed and the socket is gone)
      rejectedUpgrades++;
      reject(socket, 502, 'Bad Gateway', `cannot connect to ${target}: ${err.message}\n`);
    });
    socket.once('close', () => {
      if (!piped) tcp.destroy();
    });
    tcp.once('connect', () => {
      upgraded = true;
      wss.handleUpgrade(req, socket, head, (ws) => {
        piped = true;
        pipe(ws, tcp, target);
      });
    });
  });

  function pipe(ws: WebSocket, tcp: Socket, target: string): void {
    const conn: ConnectionStats = {
      id: nextId++,
      target,
      clientMessages: 0,
      clientBytes: 0,
      serverChunks: 0,
      serverBytes: 0,
      openedAt: new Date().toISOString(),
    };
    totalConnections++;
    open.set(conn.id, conn);
    const pair = { ws, tcp };
    live.add(pair);

    ws.on('message', (data: RawData) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      conn.clientMessages++;
      conn.clientBytes += buf.length;
      clientMessages++;
      tcp.write(buf);
    });
    tcp.on('data', (chunk: Buffer) => {
      conn.serverChunks++;
      conn.serverBytes += chunk.length;
      ws.send(chunk, { binary: true });
    });

    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      live.delete(pair);
      open.delete(conn.id);
      conn.closedAt = new Date().toISOString();
      recentlyClosed.push(conn);
      if (recentlyClosed.length > keepClosed) recentlyClosed.shift();
    };
    ws.on('close', () => {
      tcp.end();
      finish();
    });
    ws.on('error', () => tcp.destroy());
    tcp.on('close', () => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
      finish();
    });
    tcp.on('error', () => ws.terminate());
  }

  const port = await listenLoopback(server, options.port, host, 'pg-ws-bridge');
  return {
    port,
    stats,
    resetStats,
    async close() {
      for (const { ws, tcp } of live) {
        ws.terminate();
        tcp.destroy();
      }
      wss.close();
      await closeServer(server);
    },
  };
}

if (isMain(import.meta.url)) {
  const env = profileEnv('dev');
  runCli('pg-ws-bridge', () => startPgWsBridge({ port: envPort(env, 'PG_WS_BRIDGE_PORT'), pgPorts: postgresPorts(env) }));
}
