// Local stand-in for the Upstash Redis REST API over a local Redis, through ioredis. Loopback
// only. GET /stats and POST /stats/reset (no auth) count requests.
//
//   POST /             ["SET","k","v","EX","60"]        -> {"result":"OK"}
//   POST /pipeline     [["SET","k","v"],["GET","k"]]    -> [{"result":"OK"},{"result":"v"}]
//   POST /multi-exec   same, wrapped in MULTI/EXEC
//   GET|POST /set/k/v  path form (a POST body is appended as the last argument)
// Authorization: Bearer <token> (else 401). Redis error -> 400 {"error":"ERR ..."}.
// With "Upstash-Encoding: base64" every bulk/simple string in the result is base64 (recursively),
// except the simple string OK; integers stay numbers, nil is null.
//
// CLI: tsx scripts/bridges/upstash-rest.ts   (REDIS_REST_PORT, REDIS_PORT, UPSTASH_REDIS_REST_TOKEN)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Redis, ReplyError } from 'ioredis';
import { isMain } from '../lib/processes.ts';
import { profileEnv } from '../lib/profile.ts';
import { envPort } from '../lib/stack-settings.ts';
import { assertLoopback, closeServer, handleStatsRoute, listenLoopback, readBody, runCli, sendJson } from './loopback.ts';

export interface UpstashRestOptions {
  /** Port to listen on (0 = pick a free one). */
  port: number;
  /** Loopback address to listen on; default 127.0.0.1. */
  host?: string;
  /** Bearer token clients must send. */
  token: string;
  redisHost?: string;
  redisPort: number;
  /** Redis connections, used in turn (each one pipelines); default 4. */
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
// Redis

/** A Redis reply as ioredis gives it with callBuffer: strings of either kind as Buffers. */
type Reply = Buffer | number | null | Reply[];

const CONNECT_WAIT_MS = 1_000;

/** The client once it is connected: a connect under way is waited for, a Redis that is down is an error at once. */
function ready(client: Redis): Promise<Redis> {
  if (client.status === 'ready') return Promise.resolve(client);
  if (!['wait', 'connecting', 'connect'].includes(client.status))
    return Promise.reject(new Error(`Redis is not reachable (${client.status})`));
  return new Promise((ok, fail) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady).off('error', settle);
      if (error) fail(error);
      else ok(client);
    };
    const onReady = () => settle();
    const timer = setTimeout(() => settle(new Error('Redis did not answer')), CONNECT_WAIT_MS);
    client.once('ready', onReady).once('error', settle);
  });
}

/** A small set of connections that fail fast: a request to a Redis that is down is an error at once. */
function connections(host: string, port: number, size: number): { next(): Promise<Redis>; close(): void } {
  const clients = Array.from({ length: size }, () => {
    const client = new Redis({
      host,
      port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: () => 200,
    });
    client.on('error', () => undefined); // refused connections while Redis is down; commands fail on their own
    return client;
  });
  let turn = 0;
  return {
    next: () => ready(clients[turn++ % clients.length]!),
    close: () => {
      for (const client of clients) client.disconnect();
    },
  };
}

/**
 * Commands whose success reply is the simple string OK. callBuffer gives simple and bulk strings
 * alike as Buffers, so this is how the base64 rule tells OK the status (left as is) from a bulk
 * "OK" a read returns (encoded). `SET … GET` answers the old value, a bulk string; `SET … NX`
 * may answer nil.
 */
const ANSWERS_OK = new Set([
  'SET',
  'MSET',
  'SETEX',
  'PSETEX',
  'HMSET',
  'RENAME',
  'LSET',
  'LTRIM',
  'FLUSHDB',
  'FLUSHALL',
  'SWAPDB',
  'RESTORE',
  'PFMERGE',
]);

const OK = Buffer.from('OK');

function isStatusOk(args: Buffer[], reply: unknown): boolean {
  const name = args[0]!.toString().toUpperCase();
  if (!(reply instanceof Buffer && reply.equals(OK) && ANSWERS_OK.has(name))) return false;
  return !(name === 'SET' && args.some((a) => a.toString().toUpperCase() === 'GET'));
}

type Settled = [Error | null, unknown];

/**
 * A command as callBuffer takes it. The name goes upper-case: ioredis keys its argument and reply
 * transformers by lower-case name (hgetall -> object, hset/mset given one object), and both the
 * arguments and the reply must pass through as they are.
 */
function call([name, ...args]: Buffer[]): [string, ...Buffer[]] {
  return [name!.toString().toUpperCase(), ...args];
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
  return reply.toString(base64 ? 'base64' : 'utf8');
}

/** The answer to one command: `{result}`, or `{error}` for a Redis error. */
function item(cmd: Buffer[], [error, reply]: Settled, base64: boolean): { result: unknown } | { error: string } {
  if (error) return { error: error.message };
  return { result: isStatusOk(cmd, reply) ? 'OK' : toJson(reply as Reply, base64) };
}

/** A pipeline's or a transaction's replies. A Redis error belongs to its command; any other (the connection was lost) fails the request. */
async function replies(batch: ReturnType<Redis['pipeline']>, cmds: Buffer[][]): Promise<Settled[]> {
  for (const cmd of cmds) batch.callBuffer(...call(cmd));
  const results: Settled[] = (await batch.exec()) ?? [];
  const lost = results.find(([error]) => error !== null && !(error instanceof ReplyError));
  if (lost) throw lost[0];
  return results;
}

export async function startUpstashRest(options: UpstashRestOptions): Promise<UpstashRest> {
  const host = options.host ?? '127.0.0.1';
  const { token } = options;
  if (!token) throw new Error('upstash-rest: a token is required (UPSTASH_REDIS_REST_TOKEN)');
  assertLoopback(host, 'upstash-rest');
  const redis = connections(options.redisHost ?? '127.0.0.1', options.redisPort, options.poolSize ?? 4);

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
      const pipeline = url.pathname === '/pipeline';
      if (pipeline) counters.byEndpoint.pipeline++;
      else counters.byEndpoint.multiExec++;
      const client = await redis.next();
      const results = await replies(pipeline ? client.pipeline() : client.multi(), cmds);
      return sendJson(
        res,
        200,
        results.map((result, i) => item(cmds[i]!, result, base64)),
      );
    }

    const cmd = url.pathname === '/' ? toCommand(parseJson(body)) : pathCommand(url, body);
    counters.commands++;
    counters.byEndpoint.command++;
    const reply = await (await redis.next()).callBuffer(...call(cmd)).then(
      (value): Settled => [null, value],
      (error: Error): Settled => {
        if (error instanceof ReplyError) return [error, null];
        throw error;
      },
    );
    const answer = item(cmd, reply, base64);
    return sendJson(res, 'error' in answer ? 400 : 200, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      // A ReplyError here is EXECABORT: a transaction Redis refused to queue.
      if (err instanceof BadRequest || err instanceof ReplyError) return sendJson(res, 400, { error: (err as Error).message });
      if (err instanceof URIError) return sendJson(res, 400, { error: `ERR bad path: ${err.message}` });
      const message = err instanceof Error ? err.message : String(err);
      sendJson(res, 500, { error: `ERR upstash-rest: ${message}` }); // e.g. Redis is down
    });
  });

  let port: number;
  try {
    port = await listenLoopback(server, options.port, host, 'upstash-rest');
  } catch (error) {
    redis.close();
    throw error;
  }
  return {
    port,
    stats,
    resetStats,
    async close() {
      await closeServer(server);
      redis.close();
    },
  };
}

if (isMain(import.meta.url)) {
  const env = profileEnv('dev');
  runCli('upstash-rest', () =>
    startUpstashRest({
      port: envPort(env, 'REDIS_REST_PORT'),
      redisPort: envPort(env, 'REDIS_PORT'),
      token: env.UPSTASH_REDIS_REST_TOKEN ?? '',
    }),
  );
}
