import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEADLINE_MS } from '../../functions/db/with-database.ts';
import { REPRIORITIZE_DEADLINE_MS } from '../../functions/goods/write-goods.ts';
import { api, createGood, listGoods, updateGood } from '../support/api.ts';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { closeTestDb } from '../support/db.ts';
import { useIngestWorker } from '../support/ingest.ts';
import { type Load, startLoad } from '../support/load.ts';
import { resetState } from '../support/reset.ts';
import { services, whileDown, whileFrozen, whilePostgresFrozen } from '../support/services.ts';
import { sleep, waitFor } from '../support/wait.ts';

// Redis, PgBouncer and Postgres going away under load: clients get prompt answers (200, or a clean 5xx in
// the error shape), never a hang, and everything recovers once the service is back.

const INTERNAL = JSON.stringify({ code: 1, message: 'errors.internal', details: {} });

useIngestWorker();
let prefix: string;

/**
 * Every failure is a 500 in the error shape, and no request waited much past its deadline: 5 s,
 * or for a reprioritize (which Postgres may work on for up to 20 s) REPRIORITIZE_DEADLINE_MS.
 */
function expectOnlyPromptInternalErrors(load: Load): void {
  for (const failure of load.failures) expect(failure).toMatch(new RegExp(` 500 ${INTERNAL.replace(/[{}]/g, '\\$&')}$`));
  for (const [kind, latencies] of load.latencies) {
    const deadline = kind === 'reprioritize' ? REPRIORITIZE_DEADLINE_MS : DEADLINE_MS;
    expect(Math.max(...latencies), kind).toBeLessThan(deadline + 3_000);
  }
}

async function expectRecovered(): Promise<void> {
  await waitFor('healthz 200', async () => (await api('GET', '/healthz')).status === 200, 30_000, 200);
  const created = await createGood(1, { name: `after-${prefix}` }); // not counted as load
  expect(created.status).toBe(200);
  const list = await listGoods({ limit: 1000 });
  expect(list.status).toBe(200);
  expect(list.body.goods.map((g: { id: number }) => g.id)).toContain(created.body.id);
}

afterAll(closeTestDb);
beforeEach(async () => {
  await resetState();
  prefix = `svc-${randomUUID().slice(0, 8)}`;
});
afterEach(() => services('up'));

describe('backing services going away under load', { timeout: 180_000 }, () => {
  it('Redis down then up: writes and lists keep answering 200, stale pages do not return', async () => {
    const load = startLoad(prefix, { clients: 8, listShare: 0.5 });
    await sleep(1_500);
    await whileDown('redis', async () => {
      await sleep(3_000);
      const health = await api('GET', '/healthz');
      expect(health.status).toBe(503);
      expect(health.body.dependencies.redis.status).toBe('down');
    });
    await sleep(1_500);
    await load.stop();

    expect(load.failures).toEqual([]);
    expect(load.latencies.get('list')?.length).toBeGreaterThan(10);
    await expectRecovered();
    await expectExactlyOnce(prefix, load.expectedEvents);
  });

  it('Redis frozen with its pages, then thawed: writes and lists answer 200, and a page cached before a write goes for good', async () => {
    const page = { limit: 10, offset: 1 };
    const good = (await createGood(1, { name: `${prefix}-before` })).body.id as number;
    await waitFor('the page cached', async () => (await listGoods(page)).headers.get('x-cache') === 'hit');
    const nameOnPage = async () => (await listGoods(page)).body.goods.find((g: { id: number }) => g.id === good)?.name;
    // Frozen, not stopped: Redis keeps the page cached before the write, as after a network partition.
    await whileFrozen('redis', async () => {
      expect((await updateGood(good, 1, { name: `${prefix}-after` })).status).toBe(200);
      expect(await nameOnPage()).toBe(`${prefix}-after`); // from Postgres
    });
    await waitFor('the page cached before the write to go', async () => (await nameOnPage()) === `${prefix}-after`, 10_000);
    for (let i = 0; i < 20; i++) expect(await nameOnPage()).toBe(`${prefix}-after`);
    await expectExactlyOnce(prefix, 2);
  });

  // A write caught by the outage answers 500 and commits nothing: Postgres refuses to commit it
  // past its deadline (migration 0009), also after a thaw. Only a commit that lands as Postgres
  // goes away can lose its answer; the client then sends the write again with its
  // Idempotency-Key, as every write that got a 500 is sent here, and the count stays exact.
  it.each([
    ['Postgres restart behind the pooler', () => whileDown('postgres', () => sleep(3_000))],
    ['PgBouncer restart', () => whileDown('pgbouncer', () => sleep(3_000))],
    ['Postgres frozen (the whole server)', () => whilePostgresFrozen(() => sleep(10_000))],
  ])('%s: clean 500s in the error shape within the deadline, no hang, full recovery', async (_, outage) => {
    const load = startLoad(prefix, { clients: 8, listShare: 0.5 });
    await sleep(1_500);
    await outage();
    await sleep(1_500);
    await load.stop();

    expect(load.failures.length).toBeGreaterThan(0);
    expectOnlyPromptInternalErrors(load);
    // Before expectRecovered's own good exists: a reprioritize sent again must move only the load's.
    await load.retryUnanswered();
    await expectRecovered();
    await expectExactlyOnce(prefix, load.expectedEvents);
  });
});
