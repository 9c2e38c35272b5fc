import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createGood, listGoods, reprioritize, updateGood } from '../support/api.ts';
import { type AuditMessage, eventsOf, type GoodEvent } from '../../shared/event.ts';
import { closeTestDb, misplacedGoods, testDb } from '../support/db.ts';
import { resetState } from '../support/reset.ts';

beforeEach(resetState);
afterAll(closeTestDb);

interface Row {
  id: number;
  name: string;
  description: string;
  priority: number;
}

async function goodsRows(): Promise<Row[]> {
  const { rows } = await testDb().query<Row>('SELECT id, name, description, priority FROM goods ORDER BY id');
  return rows;
}

/**
 * The audit events in recording order, which for writes on the same goods is their commit order;
 * a reprioritize's part (shared/event.ts) stands for its goods, in priority order.
 */
async function eventsInCommitOrder(): Promise<GoodEvent[]> {
  const { rows } = await testDb().query<{ payload: AuditMessage }>('SELECT payload FROM goods_outbox ORDER BY seq');
  return rows.flatMap(({ payload }) => eventsOf(payload, (partId, i) => `${partId}/${i}`));
}

describe('concurrency', () => {
  it('gives 100 concurrent inserts in the database the distinct priorities 1..100', async () => {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => testDb().query('INSERT INTO goods (project_id, name) VALUES (1, $1)', [`db-${i}`])),
    );
    const priorities = (await goodsRows()).map((r) => r.priority).sort((a, b) => a - b);
    expect(priorities).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('gives 50 concurrent creates through the API distinct priorities 1..50', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => createGood(1, { name: `c-${i}` })));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const priorities = responses.map((r) => r.body.priority).sort((a: number, b: number) => a - b);
    expect(priorities).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await listGoods()).body.meta.total).toBe(50);
  });

  it('applies concurrent updates of one good in some serial order, losing none', async () => {
    await createGood(1, { name: 'start', description: 'start' });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => updateGood(1, 1, i % 2 === 0 ? { name: `n-${i}` } : { name: `n-${i}`, description: `d-${i}` })),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);

    // Replay the updates in commit order on a model: every step must match what that update
    // returned, and the end must match the row. A lost update would break the chain.
    const updates = (await eventsInCommitOrder()).slice(1);
    expect(updates).toHaveLength(20);
    let description = 'start';
    for (const event of updates) {
      const i = Number(event.name.slice(2));
      if (i % 2 === 1) description = `d-${i}`;
      expect(event.description).toBe(description);
      expect(responses[i]!.body).toMatchObject({ name: event.name, description });
    }
    const [row] = await goodsRows();
    expect(row).toMatchObject({ name: updates.at(-1)!.name, description });
  });

  it('serialises concurrent reprioritize calls: the end state is the replay of their commit order', async () => {
    for (let i = 1; i <= 8; i++) await createGood(1, { name: `g${i}` });
    const moves = Array.from({ length: 24 }, (_, k) => ({ id: ((k * 5) % 8) + 1, newPriority: ((k * 3) % 10) + 1 }));
    const responses = await Promise.all(moves.map((m) => reprioritize(m.id, 1, m.newPriority)));
    expect(responses.every((r) => r.status === 200)).toBe(true);

    // Each call's reply lists the priorities it set; replaying the replies in commit order on
    // the initial state must give exactly the final table, with priorities distinct throughout.
    const model = new Map(Array.from({ length: 8 }, (_, i) => [i + 1, i + 1]));
    const byTarget = (await eventsInCommitOrder()).slice(8);
    const replies = responses.map((r, k) => ({ move: moves[k]!, priorities: r.body.priorities as { id: number; priority: number }[] }));
    const pending = new Set(replies);
    let cursor = 0;
    while (pending.size > 0) {
      const next = [...pending].find((reply) =>
        reply.priorities.every((p, j) => byTarget[cursor + j]?.id === p.id && byTarget[cursor + j]?.priority === p.priority),
      );
      expect(next, `a reply matching the events at ${cursor}`).toBeDefined();
      const { move, priorities } = next!;
      const expected = [...model].filter(([id, p]) => id === move.id || p >= move.newPriority);
      expect(priorities.map((p) => p.id).sort()).toEqual(expected.map(([id]) => id).sort());
      for (const [id, p] of model) {
        if (id === move.id) model.set(id, move.newPriority);
        else if (p >= move.newPriority) model.set(id, p + 1);
      }
      for (const p of priorities) expect(model.get(p.id)).toBe(p.priority);
      expect(new Set(model.values()).size).toBe(8);
      cursor += priorities.length;
      pending.delete(next!);
    }
    const final = new Map((await goodsRows()).map((r) => [r.id, r.priority]));
    expect(final).toEqual(model);
    expect(await misplacedGoods()).toEqual([]);
  });
});
