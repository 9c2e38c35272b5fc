// The unchanged @upstash/redis client against the local Upstash-REST stand-in, over the real
// local Redis (bash scripts/services.sh up). Ports come from the test settings.
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/support/env.ts';
import { envPort } from '../lib/stack-settings.ts';
import { startUpstashRest, type UpstashRest, type UpstashRestStats } from './upstash-rest.ts';

const env = testEnv;
const TOKEN = 'bridge-test-token';
const PREFIX = `bridge-test:${process.pid}:${Date.now().toString(36)}:`;
const key = (name: string) => PREFIX + name;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

let server: UpstashRest;
let url: string;
let redis: Redis; // client defaults: auto-pipelining on, so single commands go to /pipeline
let direct: Redis; // auto-pipelining off: single commands go to POST /

async function raw(body: unknown, opts: { path?: string; token?: string; base64?: boolean } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token !== '') headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
  if (opts.base64) headers['upstash-encoding'] = 'base64';
  const res = await fetch(url + (opts.path ?? '/'), { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as unknown };
}

beforeAll(async () => {
  server = await startUpstashRest({ port: 0, token: TOKEN, redisPort: envPort(env, 'REDIS_PORT') });
  url = `http://127.0.0.1:${server.port}`;
  redis = new Redis({ url, token: TOKEN, enableTelemetry: false });
  direct = new Redis({ url, token: TOKEN, enableTelemetry: false, enableAutoPipelining: false });
});

afterAll(async () => {
  if (!server) return;
  try {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    expect(await redis.keys(`${PREFIX}*`)).toEqual([]);
  } finally {
    await server.close();
  }
});

describe.each([
  ['auto-pipelining (default)', () => redis, 'auto:'],
  ['auto-pipelining off', () => direct, 'direct:'],
] as const)('@upstash/redis client, %s', (_mode, client, sub) => {
  const key = (name: string) => PREFIX + sub + name;
  let redis: Redis;
  beforeAll(() => {
    redis = client();
  });

  it('set with EX, get, ttl, del, missing key', async () => {
    expect(await redis.set(key('a'), 'hello', { ex: 60 })).toBe('OK');
    expect(await redis.get(key('a'))).toBe('hello');
    const ttl = await redis.ttl(key('a'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await redis.del(key('a'))).toBe(1);
    expect(await redis.get(key('a'))).toBeNull();
    expect(await redis.get(key('never-set'))).toBeNull();
  });

  it('incr', async () => {
    expect(await redis.incr(key('n'))).toBe(1);
    expect(await redis.incr(key('n'))).toBe(2);
    expect(await redis.incrby(key('n'), 40)).toBe(42);
  });

  it('non-ASCII strings and JSON objects round-trip', async () => {
    const text = 'Первая запись ✓';
    await redis.set(key('text'), text);
    expect(await redis.get(key('text'))).toBe(text);
    expect(await redis.strlen(key('text'))).toBe(Buffer.byteLength(text, 'utf8'));

    const doc = { id: 7, name: 'Первая запись ✓', tags: ['a', 'ü'], nested: { price: 12.5, ok: true, none: null } };
    await redis.set(key('json'), doc);
    expect(await redis.get(key('json'))).toEqual(doc);
  });

  it('pipeline', async () => {
    const p = redis.pipeline();
    p.set(key('p1'), 'one');
    p.incr(key('p2'));
    p.get(key('p1'));
    p.mget(key('p1'), key('p-missing'));
    expect(await p.exec()).toEqual(['OK', 1, 'one', ['one', null]]);
  });

  it('multi (transaction)', async () => {
    const tx = redis.multi();
    tx.set(key('t'), 'x');
    tx.append(key('t'), 'yz');
    tx.get(key('t'));
    tx.lpush(key('list'), 'c', 'b', 'a');
    tx.lrange(key('list'), 0, -1);
    expect(await tx.exec()).toEqual(['OK', 3, 'xyz', 3, ['a', 'b', 'c']]);
  });

  it('set nx answers null when the key exists; hset and hgetall', async () => {
    expect(await redis.set(key('nx'), 'first', { nx: true })).toBe('OK');
    expect(await redis.set(key('nx'), 'second', { nx: true })).toBeNull();
    expect(await redis.get(key('nx'))).toBe('first');
    expect(await redis.hset(key('h'), { f: 'x', g: 'Первая' })).toBe(2);
    expect(await redis.hgetall(key('h'))).toEqual({ f: 'x', g: 'Первая' });
  });

  it('eval returning strings and numbers', async () => {
    const script = "return {KEYS[1], ARGV[1], 42, 'Первая', {'nested', 7}}";
    const result = await redis.eval(script, [key('k')], ['arg ✓']);
    expect(result).toEqual([key('k'), 'arg ✓', 42, 'Первая', ['nested', 7]]);
  });
});

describe('upstash-rest wire format', () => {
  it('a Redis error surfaces as an error (client) and as HTTP 400 (raw)', async () => {
    await redis.set(key('word'), 'abc');
    await expect(redis.incr(key('word'))).rejects.toThrow(/ERR value is not an integer/);
    await expect(direct.incr(key('word'))).rejects.toThrow(/ERR value is not an integer/);
    const res = await raw(['INCR', key('word')]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^ERR /) });
    // inside a pipeline the error is per command
    const pipe = await raw(
      [
        ['SET', key('pe'), 'v'],
        ['INCR', key('pe')],
        ['GET', key('pe')],
      ],
      { path: '/pipeline' },
    );
    expect(pipe.status).toBe(200);
    expect(pipe.body).toEqual([{ result: 'OK' }, { error: expect.stringMatching(/^ERR /) }, { result: 'v' }]);
  });

  it('a wrong or missing token is refused with 401', async () => {
    for (const enableAutoPipelining of [true, false]) {
      const bad = new Redis({ url, token: 'wrong', enableTelemetry: false, enableAutoPipelining });
      await expect(bad.get(key('a'))).rejects.toThrow(/Unauthorized/);
    }
    expect(await raw(['PING'], { token: 'wrong' })).toEqual({ status: 401, body: { error: 'Unauthorized' } });
    expect(await raw(['PING'], { token: '' })).toEqual({ status: 401, body: { error: 'Unauthorized' } });
  });

  it('base64 encoding rule (raw fetch)', async () => {
    const text = 'Первая запись ✓';
    expect(await raw(['SET', key('b'), text], { base64: true })).toEqual({ status: 200, body: { result: 'OK' } });
    expect(await raw(['GET', key('b')], { base64: true })).toEqual({ status: 200, body: { result: b64(text) } });
    expect(await raw(['GET', key('b')])).toEqual({ status: 200, body: { result: text } });
    // simple strings other than OK are encoded; a bulk "OK" is encoded too
    expect((await raw(['PING'], { base64: true })).body).toEqual({ result: b64('PONG') });
    expect((await raw(['ECHO', 'OK'], { base64: true })).body).toEqual({ result: b64('OK') });
    expect((await raw(['PING'])).body).toEqual({ result: 'PONG' });
    // integers stay numbers, nil is null
    expect((await raw(['STRLEN', key('b')], { base64: true })).body).toEqual({ result: Buffer.byteLength(text) });
    expect((await raw(['GET', key('none')], { base64: true })).body).toEqual({ result: null });
    // recursively inside arrays
    const evalRes = await raw(['EVAL', "return {'a', 1, {'ü', 2}, false}", '0'], { base64: true });
    expect(evalRes.body).toEqual({ result: [b64('a'), 1, [b64('ü'), 2], null] });
    const pipe = await raw(
      [
        ['SET', key('b2'), 'x'],
        ['MGET', key('b2'), key('none')],
      ],
      { path: '/pipeline', base64: true },
    );
    expect(pipe.body).toEqual([{ result: 'OK' }, { result: [b64('x'), null] }]);
    const tx = await raw(
      [
        ['SET', key('b3'), 'y'],
        ['GET', key('b3')],
      ],
      { path: '/multi-exec', base64: true },
    );
    expect(tx.body).toEqual([{ result: 'OK' }, { result: b64('y') }]);
  });

  it('is binary-safe for control characters and astral code points', async () => {
    const value = 'nul\u0000tab\t\r\nemoji😀end';
    await raw(['SET', key('bin'), value]);
    const res = await raw(['GET', key('bin')], { base64: true });
    expect(Buffer.from((res.body as { result: string }).result, 'base64').toString('utf8')).toBe(value);
    expect(await redis.get(key('bin'))).toBe(value);
  });

  it('accepts the path form', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const set = await fetch(`${url}/set/${encodeURIComponent(key('path'))}/${encodeURIComponent('значение')}?EX=30`, { headers });
    expect(await set.json()).toEqual({ result: 'OK' });
    const get = await fetch(`${url}/get/${encodeURIComponent(key('path'))}`, { headers });
    expect(await get.json()).toEqual({ result: 'значение' });
    const posted = await fetch(`${url}/set/${encodeURIComponent(key('path'))}`, { method: 'POST', headers, body: 'from body ✓' });
    expect(await posted.json()).toEqual({ result: 'OK' });
    expect(await redis.get(key('path'))).toBe('from body ✓');
  });

  it('counts requests and commands (/stats)', async () => {
    const reset = async () => expect((await fetch(`${url}/stats/reset`, { method: 'POST' })).status).toBe(200);
    const stats = async () => (await (await fetch(`${url}/stats`)).json()) as UpstashRestStats;

    await reset();
    await direct.get(key('a'));
    const p = direct.pipeline();
    p.get(key('a'));
    p.get(key('b'));
    await p.exec();
    await direct.multi().get(key('a')).get(key('b')).exec();
    await raw(['PING'], { token: 'wrong' });
    expect(await stats()).toEqual({
      requests: 3,
      commands: 5,
      unauthorized: 1,
      byEndpoint: { command: 1, pipeline: 1, multiExec: 1 },
    });

    // the default client batches concurrent commands into /pipeline requests (reads and writes
    // in separate batches): 3 concurrent reads = 1 round trip, then 1 read + 1 write concurrently = 2
    await reset();
    await Promise.all([redis.get(key('a')), redis.get(key('b')), redis.get(key('c'))]);
    await Promise.all([redis.get(key('a')), redis.incr(key('c'))]);
    expect(await stats()).toEqual({
      requests: 3,
      commands: 5,
      unauthorized: 0,
      byEndpoint: { command: 0, pipeline: 3, multiExec: 0 },
    });
  });

  it('passes commands and replies through as they are, whatever the case of the name', async () => {
    await raw(['HSET', key('hc'), 'f', 'x']);
    expect((await raw(['hgetall', key('hc')])).body).toEqual({ result: ['f', 'x'] });
    // a single string is an argument, not an object to spread into fields
    for (const cmd of [
      ['hset', key('hc'), 'ab'],
      ['mset', key('ms')],
    ]) {
      expect(await raw(cmd)).toEqual({ status: 400, body: { error: expect.stringMatching(/^ERR wrong number of arguments/) } });
    }
    expect((await raw(['SET', key('hc2'), 'v', 'XX'], { base64: true })).body).toEqual({ result: null });
  });

  it('refuses commands that would break pooled connections', async () => {
    const res = await raw(['SELECT', '1']);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/not supported/) });
  });

  it('answers promptly with an error when Redis cannot be reached, and keeps answering', async () => {
    const cut = await startUpstashRest({ port: 0, token: TOKEN, redisPort: Number(env.CLOSED_PG_PORT) });
    try {
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const res = await fetch(`http://127.0.0.1:${cut.port}/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify(['GET', 'x']),
        });
        expect(res.status).toBe(500);
        expect(await res.json()).toEqual({ error: expect.stringMatching(/^ERR upstash-rest: /) });
        expect(Date.now() - started).toBeLessThan(1_500);
      }
    } finally {
      await cut.close();
    }
  });

  it('answers batches promptly with an error when Redis cannot be reached, and counts them', async () => {
    const cut = await startUpstashRest({ port: 0, token: TOKEN, redisPort: Number(env.CLOSED_PG_PORT) });
    try {
      for (const path of ['/pipeline', '/multi-exec']) {
        const started = Date.now();
        const res = await fetch(`http://127.0.0.1:${cut.port}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify([['GET', 'x']]),
        });
        expect(res.status).toBe(500);
        expect(await res.json()).toEqual({ error: expect.stringMatching(/^ERR upstash-rest: /) });
        expect(Date.now() - started).toBeLessThan(1_500);
      }
      // Strangers on the shared loopback (another suite's client retrying a port this one now has)
      // count as unauthorized; what this test proves is the two batches it sent.
      const { unauthorized: _strangers, ...ours } = cut.stats();
      expect(ours).toEqual({ requests: 2, commands: 2, byEndpoint: { command: 0, pipeline: 1, multiExec: 1 } });
    } finally {
      await cut.close();
    }
  });

  it('refuses to bind to a non-loopback address', async () => {
    await expect(startUpstashRest({ port: 0, host: '0.0.0.0', token: 't', redisPort: 1 })).rejects.toThrow(/non-loopback/);
  });
});
