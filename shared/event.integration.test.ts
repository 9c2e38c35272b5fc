// The audit event is built in SQL (goods_record_event, and the parts of goods_reprioritize,
// migrations/postgres) and validated by the ingest worker with the schemas of shared/event.ts:
// every write's payload must be exactly that schema.
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestDb, testDb } from '../test/support/db.ts';
import { GoodEventPartSchema, GoodEventSchema } from './event.ts';

afterAll(closeTestDb);

describe('the audit event built by Postgres', () => {
  it('matches GoodEventSchema exactly, for every kind of write, in the answer and in the outbox', async () => {
    const client = await testDb().connect();
    try {
      await client.query('BEGIN'); // rolled back: the check leaves nothing behind
      const call = async (sql: string, params: unknown[]) =>
        (await client.query<{ out: { events: unknown[] } }>(sql, params)).rows[0]!.out.events;
      const [created] = (await call('SELECT goods_create(1, $1, $2) AS out', ['event check', 'd'])) as { id: number; priority: number }[];
      const second = await call('SELECT goods_create(1, $1, $2) AS out', ['event check 2', '']);
      const events = [
        created,
        ...second,
        ...(await call('SELECT goods_update($1, 1, $2, NULL) AS out', [created!.id, 'renamed'])),
        ...(await call('SELECT goods_remove($1, 1) AS out', [created!.id])),
      ];
      const strict = GoodEventSchema.strict();
      const keys = Object.keys(GoodEventSchema.shape).sort();
      for (const event of events) {
        expect(Object.keys(event as object).sort()).toEqual(keys);
        expect(strict.safeParse(event).error).toBeUndefined();
      }
      const ids = events.map((e) => (e as { eventId: string }).eventId);
      const { rows } = await client.query<{ payload: unknown }>('SELECT payload FROM goods_outbox WHERE event_id = ANY($1::uuid[])', [ids]);
      expect(rows).toHaveLength(events.length);
      for (const { payload } of rows) expect(strict.safeParse(payload).error).toBeUndefined();

      // The second good to the first's place: both move (the first, removed, keeps its place in
      // the order), and they are the newest goods of the table.
      const [firstPriority, secondId] = [created!.priority, (second[0] as { id: number }).id];
      const moved = await client.query<{ parts: unknown[] }>('SELECT parts FROM goods_reprioritize($1, 1, $2)', [secondId, firstPriority]);
      const parts = moved.rows[0]!.parts;
      expect(parts).toHaveLength(1);
      const strictPart = GoodEventPartSchema.strict();
      expect(Object.keys(parts[0] as object).sort()).toEqual(Object.keys(GoodEventPartSchema.shape).sort());
      expect(strictPart.safeParse(parts[0]).error).toBeUndefined();
      expect((parts[0] as { goods: unknown[] }).goods).toHaveLength(2);
      const partId = (parts[0] as { eventId: string }).eventId;
      const { rows: outboxParts } = await client.query<{ payload: unknown }>('SELECT payload FROM goods_outbox WHERE event_id = $1', [
        partId,
      ]);
      expect(outboxParts.map((r) => r.payload)).toEqual(parts);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
