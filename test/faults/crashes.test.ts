import { useFaultTest } from '../support/fault-test.ts';
import { describe, expect, it } from 'vitest';
import { api } from '../support/api.ts';
import { testDb } from '../support/db.ts';
import { committedEvents, expectExactlyOnce, insertedEvents } from '../support/exactly-once.ts';
import { type Load, startLoad } from '../support/load.ts';
import { whileKilled } from '../support/services.ts';
import { sleep, waitFor } from '../support/wait.ts';

// Crashes, not stops: each service is killed with SIGKILL while writes are in flight, and
// started again. Nothing of an acknowledged write may be lost or doubled.

const t = useFaultTest('crash', { withIngest: true });

/** Every failure is the contract's 500 (a write that found Postgres gone), never anything else. */
function expectOnlyInternalErrors(load: Load): void {
  for (const failure of load.failures) expect(failure).toMatch(/ 500 \{"code":1,"message":"errors.internal","details":\{\}\}$/);
}

describe('crashes under writes', { timeout: 180_000 }, () => {
  it.each(['postgres', 'clickhouse', 'nats', 'redis'])('kill -9 of %s: every acknowledged write logged exactly once', async (service) => {
    const load = startLoad(t.prefix);
    await waitFor('writes acknowledged before the kill', async () => load.acknowledged >= 10);
    await whileKilled(service, () => sleep(2_000));
    await waitFor('the API healthy again', async () => (await api('GET', '/healthz')).status === 200, 60_000, 200);
    const beforeRecovery = load.acknowledged;
    await waitFor('writes acknowledged after the restart', async () => load.acknowledged >= beforeRecovery + 10, 30_000);
    await load.stop();
    expectOnlyInternalErrors(load);
    // A write whose commit landed as Postgres died never got its answer; the client sends it
    // again with its Idempotency-Key, and gets either the stored answer or a first run.
    await load.retryUnanswered();
    expect(load.acknowledged).toBeGreaterThan(20);
    await expectExactlyOnce(t.prefix, load.expectedEvents, 120_000);
  });

  it('kill -9 of ClickHouse right after a batch was confirmed and its outbox rows deleted: the batch is still there', async () => {
    const load = startLoad(t.prefix);
    await waitFor('writes acknowledged', async () => load.acknowledged >= 20);
    await load.stop();
    const committed = await committedEvents(t.prefix);
    expect(committed.length).toBe(load.expectedEvents);
    // Confirmed: every event inserted, and the worker has forgotten them in the outbox.
    await waitFor(
      'the batch confirmed',
      async () => {
        const { rows } = await testDb().query<{ n: number }>('SELECT count(*)::int AS n FROM goods_outbox');
        return rows[0]!.n === 0;
      },
      60_000,
    );
    await whileKilled('clickhouse', () => sleep(500));
    const inserted = await waitFor('ClickHouse back', async () => insertedEvents(t.prefix), 60_000, 500);
    expect(committed.filter((id) => inserted.get(id) !== 1)).toEqual([]);
    await expectExactlyOnce(t.prefix, load.expectedEvents);
  });
});
