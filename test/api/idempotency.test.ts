import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type ApiResponse, createGood } from '../support/api.ts';
import { closeTestDb, testDb } from '../support/db.ts';
import { API_URL } from '../support/env.ts';
import { resetState } from '../support/reset.ts';
import { sleep } from '../support/wait.ts';

// The contract's "Failures and retries": a write sent again with the same Idempotency-Key gets
// the first answer back and changes nothing; the same key with another request is a 422.

beforeAll(resetState);
afterAll(closeTestDb);

const key = () => `k-${randomUUID()}`;
const withKey = (k: string, headers: Record<string, string> = {}) => ({ ...headers, 'Idempotency-Key': k });

async function goodsNamed(name: string): Promise<number> {
  const { rows } = await testDb().query<{ n: number }>('SELECT count(*)::int AS n FROM goods WHERE name = $1', [name]);
  return rows[0]!.n;
}

async function outboxEventsOf(id: number): Promise<number> {
  const { rows } = await testDb().query<{ n: number }>("SELECT count(*)::int AS n FROM goods_outbox WHERE payload->>'id' = $1", [
    String(id),
  ]);
  return rows[0]!.n;
}

const create = (name: string, k: string) => api('POST', '/goods/create', { query: { projectId: 1 }, json: { name }, headers: withKey(k) });

function expectReplayOf(replay: ApiResponse, first: ApiResponse): void {
  expect(replay.status).toBe(first.status);
  expect(replay.text).toBe(first.text);
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
}

describe('Idempotency-Key', () => {
  it('replays the first answer of a create, with Idempotent-Replayed, and creates one good', async () => {
    const k = key();
    const name = `idem-${k}`;
    const first = await create(name, k);
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    for (let i = 0; i < 3; i++) expectReplayOf(await create(name, k), first);
    expect(await goodsNamed(name)).toBe(1);
    expect(await outboxEventsOf(first.body.id)).toBeLessThanOrEqual(1); // the worker may have taken it already
  });

  it('replays updates, removes and reprioritizes, each run once', async () => {
    const a = (await createGood(1, { name: `idem-a-${randomUUID()}` })).body;
    const b = (await createGood(1, { name: `idem-b-${randomUUID()}` })).body;
    const requests: [string, string, Record<string, number>, unknown][] = [
      ['PATCH', '/goods/update', { id: a.id, projectId: 1 }, { name: `${a.name}-renamed` }],
      ['PATCH', '/goods/reprioritize', { id: b.id, projectId: 1 }, { newPriority: 1 }],
      ['DELETE', '/goods/remove', { id: a.id, projectId: 1 }, undefined],
    ];
    for (const [method, path, query, json] of requests) {
      const k = key();
      const first = await api(method, path, { query, json, headers: withKey(k) });
      expect(first.status, path).toBe(200);
      const before = (await testDb().query('SELECT * FROM goods ORDER BY id')).rows;
      expectReplayOf(await api(method, path, { query, json, headers: withKey(k) }), first);
      expect((await testDb().query('SELECT * FROM goods ORDER BY id')).rows, path).toEqual(before);
    }
  });

  it('stores a 404 and replays it; a 400 is not stored', async () => {
    const k = key();
    const missing = await api('PATCH', '/goods/update', {
      query: { id: 2_000_000_000, projectId: 1 },
      json: { name: 'x' },
      headers: withKey(k),
    });
    expect(missing.status).toBe(404);
    expectReplayOf(
      await api('PATCH', '/goods/update', { query: { id: 2_000_000_000, projectId: 1 }, json: { name: 'x' }, headers: withKey(k) }),
      missing,
    );

    const other = key();
    const invalid = await api('POST', '/goods/create', { query: { projectId: 1 }, json: { name: '' }, headers: withKey(other) });
    expect(invalid.status).toBe(400);
    // Not stored: the key is still free for a valid request.
    const valid = await create(`idem-after-400-${other}`, other);
    expect(valid.status).toBe(200);
    expect(valid.headers.get('idempotent-replayed')).toBeNull();
  });

  it('answers 422 for the same key with another method, path, query or body, and changes nothing', async () => {
    const k = key();
    const name = `idem-${k}`;
    const first = await create(name, k);
    expect(first.status).toBe(200);
    const others = [
      api('POST', '/goods/create', { query: { projectId: 1 }, json: { name: `${name}-other` }, headers: withKey(k) }),
      api('POST', '/good/create', { query: { projectId: 1 }, json: { name }, headers: withKey(k) }),
      api('POST', '/goods/create', { query: { projectId: 1, extra: 1 }, json: { name }, headers: withKey(k) }),
      api('PATCH', '/goods/update', { query: { id: first.body.id, projectId: 1 }, json: { name: 'renamed' }, headers: withKey(k) }),
    ];
    for (const answer of await Promise.all(others)) {
      expect(answer.status).toBe(422);
      expect(answer.body).toEqual({ code: 10, message: 'errors.idempotency.mismatch', details: {} });
    }
    expect(await goodsNamed(name)).toBe(1);
    expect(await goodsNamed(`${name}-other`)).toBe(0);
    expect((await testDb().query('SELECT name FROM goods WHERE id = $1', [first.body.id])).rows[0]).toEqual({ name });
  });

  it('takes the query in any order as the same request', async () => {
    const good = (await createGood(1, { name: `idem-q-${randomUUID()}` })).body;
    const k = key();
    const path = (query: string) => `/goods/update?${query}`;
    const first = await api('PATCH', path(`id=${good.id}&projectId=1`), { json: { name: `${good.name}-2` }, headers: withKey(k) });
    expectReplayOf(await api('PATCH', path(`projectId=1&id=${good.id}`), { json: { name: `${good.name}-2` }, headers: withKey(k) }), first);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['a space', 'two words'],
    ['a slash', 'a/b'],
    ['a percent sign', encodeURIComponent('ключ')],
  ])('rejects a key with %s: 400 naming Idempotency-Key, nothing written', async (_, bad) => {
    const name = `idem-bad-${randomUUID()}`;
    const response = await api('POST', '/goods/create', { query: { projectId: 1 }, json: { name }, headers: { 'Idempotency-Key': bad } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe(2);
    expect(Object.keys(response.body.details)).toEqual(['Idempotency-Key']);
    expect(await goodsNamed(name)).toBe(0);
  });

  it('accepts a key of 255 characters of every allowed kind', async () => {
    const start = `Az09-_.:${randomUUID()}`;
    const k = start.padEnd(255, 'x');
    const first = await create(`idem-long-${randomUUID()}`, k);
    expect(first.status).toBe(200);
  });

  it('runs concurrent requests with one key once: the others wait for the first answer or get 409', async () => {
    const k = key();
    const name = `idem-${k}`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => create(name, k)));
    expect(await goodsNamed(name)).toBe(1);
    const ran = answers.filter((a) => a.status === 200 && a.headers.get('idempotent-replayed') === null);
    expect(ran).toHaveLength(1);
    for (const answer of answers) {
      if (answer.status === 409) expect(answer.body).toEqual({ code: 9, message: 'errors.idempotency.inProgress', details: {} });
      else expect(answer.text).toBe(ran[0]!.text);
    }
  });

  it('answers 409 while the first request with the key is still running at the retry’s deadline', async () => {
    const k = key();
    const name = `idem-${k}`;
    // A first request that runs long: it has claimed the key, and its transaction stays open.
    const first = await testDb().connect();
    try {
      await first.query('BEGIN');
      await first.query("SELECT goods_begin_keyed_write(now() + interval '1 minute', $1, $2)", [k, '0'.repeat(64)]);
      const retry = await create(name, k); // waits for the first one's key until its own deadline
      expect(retry.status).toBe(409);
      expect(retry.body).toEqual({ code: 9, message: 'errors.idempotency.inProgress', details: {} });
    } finally {
      await first.query('ROLLBACK');
      first.release();
    }
    expect(await goodsNamed(name)).toBe(0);
    // The first one never committed: the key is free again.
    const again = await create(name, k);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(await goodsNamed(name)).toBe(1);
  }, 30_000);

  it('lets a client that gave up and retried with its key end with exactly one good', async () => {
    const k = key();
    const name = `idem-${k}`;
    const holder = await testDb().connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE goods IN EXCLUSIVE MODE');
    const gaveUp = new AbortController();
    const abandoned = fetch(new URL('/goods/create?projectId=1', API_URL), {
      method: 'POST',
      headers: withKey(k),
      body: JSON.stringify({ name }),
      signal: gaveUp.signal,
    }).catch(() => undefined);
    await sleep(300);
    gaveUp.abort(); // the client's own timeout; the write goes on in the Worker
    await abandoned;
    await holder.query('ROLLBACK');
    holder.release();
    const retried = await create(name, k);
    expect(retried.status).toBe(200);
    expect(await goodsNamed(name)).toBe(1);
  });

  it('lets a key expire after 24 hours, when it may be used again', async () => {
    const k = key();
    const first = await create(`idem-${k}`, k);
    await testDb().query("UPDATE goods_idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1", [k]);
    const reused = await create(`idem-${k}-again`, k);
    expect(reused.status).toBe(200);
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
    expect(reused.body.id).not.toBe(first.body.id);
  });

  it('removes expired keys as new ones are claimed', async () => {
    const expired = Array.from({ length: 5 }, key);
    await testDb().query(
      "INSERT INTO goods_idempotency_keys (key, request, created_at) SELECT k, 'x', now() - interval '25 hours' FROM unnest($1::text[]) k",
      [expired],
    );
    await create(`idem-sweep-${randomUUID()}`, key());
    const { rows } = await testDb().query('SELECT key FROM goods_idempotency_keys WHERE key = ANY($1)', [expired]);
    expect(rows).toEqual([]);
  });
});

describe('a keyed reprioritize of many goods', () => {
  it('replays its whole answer, chunk by chunk', async () => {
    await resetState();
    await testDb().query("INSERT INTO goods (project_id, name) SELECT 1, 'many-' || n FROM generate_series(1, 7000) n");
    const { rows } = await testDb().query<{ id: number }>('SELECT max(id) AS id FROM goods');
    const k = key();
    const move = () =>
      api('PATCH', '/goods/reprioritize', { query: { id: rows[0]!.id, projectId: 1 }, json: { newPriority: 1 }, headers: withKey(k) });
    const first = await move();
    expect(first.status).toBe(200);
    expect(first.body.priorities).toHaveLength(7000);
    const before = (await testDb().query('SELECT id, priority FROM goods ORDER BY id')).rows;
    expectReplayOf(await move(), first);
    expectReplayOf(await move(), first);
    expect((await testDb().query('SELECT id, priority FROM goods ORDER BY id')).rows).toEqual(before);
  }, 60_000);
});
