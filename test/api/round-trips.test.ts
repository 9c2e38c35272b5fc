import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  bridgeStats,
  createGood,
  listGoods,
  removeGood,
  reprioritize,
  resetBridgeStats,
  updateGood,
} from '../support/api.ts';
import { closeTestDb } from '../support/db.ts';
import { resetState } from '../support/reset.ts';
import { waitFor } from '../support/wait.ts';

// The edge's performance budget, counted at the local bridges the API talks through.
// Postgres: with a pipelined connect, startup + password + the statement leave in one WebSocket
// message, and the driver's Terminate is the only other one, so <= 2 messages per connection
// means one query round trip. Redis: one HTTP request is one round trip.

interface Cost {
  pgConnections: number;
  pgMessages: number[];
  redisRequests: number;
}

async function measure(request: () => Promise<ApiResponse>): Promise<Cost> {
  await resetBridgeStats();
  const response = await request();
  expect(response.status).toBe(200);
  // The connection is closed after the response (waitUntil); wait until the bridge has seen it.
  const stats = await waitFor('connections to close', async () => {
    const s = await bridgeStats();
    return s.postgres.openConnections === 0 ? s : undefined;
  });
  return {
    pgConnections: stats.postgres.totalConnections,
    pgMessages: stats.postgres.recentlyClosed.map((c: { clientMessages: number }) => c.clientMessages),
    redisRequests: stats.redis.requests,
  };
}

function expectWriteBudget(cost: Cost) {
  expect(cost.pgConnections).toBe(1);
  expect(cost.pgMessages[0]).toBeLessThanOrEqual(2);
  expect(cost.redisRequests).toBe(1);
}

beforeEach(async () => {
  await resetState();
  for (let i = 0; i < 3; i++) await createGood(1, { name: `g${i}` });
});
afterAll(closeTestDb);

describe('round trips on the critical path', () => {
  it('create: one connection, one query, one Redis request', async () => {
    expectWriteBudget(await measure(() => createGood(1, { name: 'n' })));
  });

  it('update: one connection, one query, one Redis request', async () => {
    expectWriteBudget(await measure(() => updateGood(1, 1, { name: 'n', description: 'd' })));
  });

  it('remove: one connection, one query, one Redis request', async () => {
    expectWriteBudget(await measure(() => removeGood(2, 1)));
  });

  it('reprioritize: one connection, one query, one Redis request', async () => {
    expectWriteBudget(await measure(() => reprioritize(3, 1, 1)));
  });

  it('list miss: one query, at most two Redis requests; list hit: no Postgres, one Redis request', async () => {
    const miss = await measure(() => listGoods({ limit: 7 }));
    expect(miss.pgConnections).toBe(1);
    expect(miss.pgMessages[0]).toBeLessThanOrEqual(2);
    expect(miss.redisRequests).toBeLessThanOrEqual(2);

    await waitFor('the page to be cached', async () => (await listGoods({ limit: 7 })).headers.get('x-cache') === 'hit');
    const hit = await measure(() => listGoods({ limit: 7 }));
    expect(hit).toEqual({ pgConnections: 0, pgMessages: [], redisRequests: 1 });
  });
});
