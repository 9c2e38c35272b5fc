// Local stand-in for the Upstash Redis REST API over a local Redis (RESP2 over a small pool of
// TCP connections). Loopback only. GET /stats and POST /stats/reset (no auth) count requests.
//
//   POST /             ["SET","k","v","EX","60"]        -> {"result":"OK"}
//   POST /pipeline     [["SET","k","v"],["GET","k"]]    -> [{"result":"OK"},{"result":"v"}]
//   POST /multi-exec   same, wrapped in MULTI/EXEC on one connection
//   GET|POST /set/k/v  path form (a POST body is appended as the last argument)
// Authorization: Bearer <token> (else 401). Redis error -> 400 {"error":"ERR ..."}.
// With "Upstash-Encoding: base64" every bulk/simple string in the result is base64 (recursively),
// except the simple string OK; integers stay numbers, nil is null.
//
// CLI: tsx scripts/bridges/upstash-rest.ts   (REDIS_REST_PORT, REDIS_PORT, UPSTASH_REDIS_REST_TOKEN)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { profileEnv } from '../lib/profile.ts';
import { closeServer, envPort, handleStatsRoute, isMain, listenLoopback, readBody, runCli, sendJson } from './loopback.ts';

export interface UpstashRestOptions {
  /** Port to listen on (0 = pick a free one). */
  port: number;
  /** Loopback address to listen on; default 127.0.0.1. */
  host?: string;
  /** Bearer token clients must send; default env UPSTASH_REDIS_REST_TOKEN. */
  token?: string;
  redisHost?: string;
  /** Default env REDIS_PORT. */
  redisPort?: number;
  /** Max Redis connections; default 8. */
  poolSize?: number;
}

export interface UpstashRestStats {
  /** Authorized HTTP requests (= Redis round trips seen by clients). */
  requests: number;
  /** Redis commands run on behalf of clients (a pipeline of 3 counts 3; MULTI/EXEC not counted). */
  commands: number;
  unauthorized: number;
  byEndpoint: { command: number; pipeline: number; multiExec: number };
}

export interface UpstashRest {
  port: number;
  stats(): UpstashRestStats;
  resetStats(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// RESP2

class SimpleString {
  constructor(readonly value: string) {}
}
class ReplyError {
  constructor(readonly message: string) {}
}
type Reply = Buffer | SimpleString | ReplyError | number | null | Reply[];

function encodeCommand(args: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** Parse one reply at `pos`; null when the buffer does not hold a whole reply yet. */
function parseReply(buf: Buffer, pos: number): [Reply, number] | null {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return null;
  const line = buf.toString('utf8', pos + 1, eol);
  const next = eol + 2;
  switch (buf[pos]) {
    case 0x2b /* + */:
      return [new SimpleString(line), next];
    case 0x2d /* - */:
      return [new ReplyError(line), next];
    case 0x3a /* : */:
      return [Number(line), next];
    case 0x24 /* $ */:
      {
        const len = Number(line);
        if (len < 0) return [null, next];
        if (buf.length < next + len + 2) return null;
        return [buf.subarray(next, next + len), next + len + 2];
      }
    case 0x2a /* * */:
      {
        const n = Number(line);
        if (n < 0) return [null, next];
        const items: Reply[] = [];
        let p = next;
        for (let i = 0; i < n; i++) {
          const r = parseReply(buf, p);
          if (r === null) return null;
          items.push(r[0]);
          p = r[1];
        }
        return [items, p];
      }
    default:
      throw new Error(`unexpected RESP type byte 0x${buf[pos]?.toString(16)}`);
  }
}

class RedisConnection {
  dead = false;
  private buf: Buffer = Buffer.alloc(0);
  private pending: Array<{ ok: (r: Reply) => void; fail: (e: Error) => void }> = [];

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.kill(err));
    socket.on('close', () => this.kill(new Error('Redis connection closed')));
  }

  static open(host: string, port: number): Promise<RedisConnection> {
    return new Promise((ok, fail) => {
      const socket = connect({ host, port });
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        ok(new RedisConnection(socket));
      });
    });
  }

  /** Send one command; replies come back in order, so several sends pipeline naturally. */
  send(args: Buffer[]): Promise<Reply> {
    if (this.dead) return Promise.reject(new Error('Redis connection closed'));
    return new Promise((ok, fail) => {
      this.pending.push({ ok, fail });
      this.socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.dead = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    try {
      while (this.pending.length > 0) {
        const r = parseReply(this.buf, 0);
        if (r === null) break;
        this.buf = this.buf.subarray(r[1]);
        this.pending.shift()?.ok(r[0]);
      }
    } catch (err) {
      this.kill(err as Error);
      this.socket.destroy();
    }
  }

  private kill(err: Error): void {
    this.dead = true;
    for (const p of this.pending.splice(0)) p.fail(err);
  }
}

class RedisPool {
  private idle: RedisConnection[] = [];
  private waiters: Array<() => void> = [];
  private size = 0;
  private all = new Set<RedisConnection>();

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly max: number,
  ) {}

  async use<T>(fn: (c: RedisConnection) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    try {
      return await fn(conn);
    } finally {
      this.release(conn);
    }
  }

  closeAll(): void {
    for (const c of this.all) c.close();
  }

  private async acquire(): Promise<RedisConnection> {
    for (;;) {
      const conn = this.idle.pop();
      if (conn && !conn.dead) return conn;
      if (conn) {
        this.drop(conn);
        continue;
      }
      if (this.size < this.max) {
        this.size++;
        try {
          const c = await RedisConnection.open(this.host, this.port);
          this.all.add(c);
          return c;
        } catch (err) {
          this.size--;
          throw err;
        }
      }
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }

  private release(conn: RedisConnection): void {
    if (conn.dead) this.drop(conn);
    else this.idle.push(conn);
    this.waiters.shift()?.();
  }

  private drop(conn: RedisConnection): void {
    this.all.delete(conn);
    this.size--;
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

class BadRequest extends Error {}

/** Commands that would change or block the state of a pooled connection. */
const REFUSED = new Set([
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'SSUBSCRIBE',
  'UNSUBSCRIBE',
  'PUNSUBSCRIBE',
  'SUNSUBSCRIBE',
  'MONITOR',
  'SELECT',
  'HELLO',
  'RESET',
  'QUIT',
  'AUTH',
  'MULTI',
  'EXEC',
  'DISCARD',
  'WATCH',
  'UNWATCH',
  'CLIENT',
]);

function checked(args: Buffer[]): Buffer[] {
  const name = args[0]?.toString().toUpperCase();
  if (name === undefined) throw new BadRequest('ERR empty command');
  if (REFUSED.has(name)) throw new BadRequest(`ERR command '${name}' is not supported over REST`);
  return args;
}

function toCommand(value: unknown): Buffer[] {
  if (!Array.isArray(value)) throw new BadRequest('ERR command must be a JSON array');
  return checked(
    value.map((v: unknown) => {
      if (typeof v === 'string') return Buffer.from(v, 'utf8');
      if (typeof v === 'number' || typeof v === 'boolean') return Buffer.from(String(v));
      throw new BadRequest(`ERR unsupported argument type in command: ${JSON.stringify(v)}`);
    }),
  );
}

function toCommands(value: unknown): Buffer[][] {
  if (!Array.isArray(value) || value.length === 0) throw new BadRequest('ERR expected a non-empty array of commands');
  return value.map(toCommand);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequest('ERR failed to parse command: request body is not valid JSON');
  }
}

/** Path form: /set/key/value?EX=60 -> ["set","key","value","EX","60"] (+ the raw POST body). */
function pathCommand(url: URL, body: Buffer): Buffer[] {
  const args: Buffer[] = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => Buffer.from(decodeURIComponent(s), 'utf8'));
  for (const [k, v] of url.searchParams) {
    if (k === '_token') continue;
    args.push(Buffer.from(k, 'utf8'));
    if (v !== '') args.push(Buffer.from(v, 'utf8'));
  }
  if (body.length > 0) args.push(body);
  return checked(args);
}

function toJson(reply: Reply, base64: boolean): unknown {
  if (reply === null || typeof reply === 'number') return reply;
  if (Array.isArray(reply)) return reply.map((r) => toJson(r, base64));
  if (reply instanceof ReplyError) return reply.message;
  if (reply instanceof SimpleString) {
    return base64 && reply.value !== 'OK' ? Buffer.from(reply.value, 'utf8').toString('base64') : reply.value;
  }
  return reply.toString(base64 ? 'base64' : 'utf8');
}

function item(reply: Reply, base64: boolean): { result: unknown } | { error: string } {
  return reply instanceof ReplyError ? { error: reply.message } : { result: toJson(reply, base64) };
}

export async function startUpstashRest(options: UpstashRestOptions): Promise<UpstashRest> {
  const host = options.host ?? '127.0.0.1';
  const env = profileEnv('dev');
  const token = options.token ?? env.UPSTASH_REDIS_REST_TOKEN;
  if (!token) throw new Error('upstash-rest: a token is required (UPSTASH_REDIS_REST_TOKEN)');
  const pool = new RedisPool(options.redisHost ?? '127.0.0.1', options.redisPort ?? envPort(env, 'REDIS_PORT'), options.poolSize ?? 8);

  const zero = (): UpstashRestStats => ({
    requests: 0,
    commands: 0,
    unauthorized: 0,
    byEndpoint: { command: 0, pipeline: 0, multiExec: 0 },
  });
  let counters = zero();
  const stats = (): UpstashRestStats => structuredClone(counters);
  const resetStats = (): void => {
    counters = zero();
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://upstash');
    if (handleStatsRoute(req, res, url.pathname, { snapshot: stats, reset: resetStats })) return;

    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7) : url.searchParams.get('_token');
    if (given !== token) {
      counters.unauthorized++;
      return sendJson(res, 401, { error: 'Unauthorized' });
    }
    counters.requests++;
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const body = await readBody(req);

    if (url.pathname === '/pipeline' || url.pathname === '/multi-exec') {
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'ERR use POST' });
      const cmds = toCommands(parseJson(body));
      counters.commands += cmds.length;
      if (url.pathname === '/pipeline') {
        counters.byEndpoint.pipeline++;
        const replies = await pool.use((c) => Promise.all(cmds.map((cmd) => c.send(cmd))));
        return sendJson(
          res,
          200,
          replies.map((r) => item(r, base64)),
        );
      }
      counters.byEndpoint.multiExec++;
      const all = await pool.use((c) =>
        Promise.all([c.send([Buffer.from('MULTI')]), ...cmds.map((cmd) => c.send(cmd)), c.send([Buffer.from('EXEC')])]),
      );
      const exec = all[all.length - 1] ?? null;
      if (exec instanceof ReplyError) return sendJson(res, 400, { error: exec.message });
      if (!Array.isArray(exec)) return sendJson(res, 400, { error: 'ERR transaction aborted' });
      return sendJson(
        res,
        200,
        exec.map((r) => item(r, base64)),
      );
    }

    const cmd = url.pathname === '/' ? toCommand(parseJson(body)) : pathCommand(url, body);
    counters.commands++;
    counters.byEndpoint.command++;
    const reply = await pool.use((c) => c.send(cmd));
    if (reply instanceof ReplyError) return sendJson(res, 400, { error: reply.message });
    return sendJson(res, 200, { result: toJson(reply, base64) });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof BadRequest) return sendJson(res, 400, { error: err.message });
      if (err instanceof URIError) return sendJson(res, 400, { error: `ERR bad path: ${err.message}` });
      const message = err instanceof Error ? err.message : String(err);
      sendJson(res, 500, { error: `ERR upstash-rest: ${message}` }); // e.g. Redis is down
    });
  });

  const port = await listenLoopback(server, options.port, host, 'upstash-rest');
  return {
    port,
    stats,
    resetStats,
    async close() {
      await closeServer(server);
      pool.closeAll();
    },
  };
}

if (isMain(import.meta.url)) {
  const env = profileEnv('dev');
  runCli('upstash-rest', () =>
    startUpstashRest({
      port: envPort(env, 'REDIS_REST_PORT'),
      redisPort: envPort(env, 'REDIS_PORT'),
      token: env.UPSTASH_REDIS_REST_TOKEN,
    }),
  );
}
