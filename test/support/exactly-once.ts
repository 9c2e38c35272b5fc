import { expect } from 'vitest';
import { type AuditMessage, eventsOf } from '../../shared/event.ts';
import { partEventId } from '../../worker-ingest/src/event.ts';
import { CLICKHOUSE_REPLICAS, chCommand, chQuery } from './clickhouse.ts';
import { testDb } from './db.ts';
import { testEnv } from './env.ts';
import { waitFor } from './wait.ts';

// The suite's one exactly-once check. Two records, each kept apart from what it checks:
// * Postgres keeps a copy of every audit message that commits (a trigger on goods_outbox, in the
//   suite's database only). A write answered with anything but 2xx commits nothing, so these are
//   exactly the events of the acknowledged writes.
// * ClickHouse keeps every row ever inserted into goods_log (a materialized view into a table of
//   its own): merges of goods_log, a ReplacingMergeTree, would make a repeated row vanish. On
//   replicas each server has its own: a view sees the INSERTs its server takes (not the parts it
//   fetches from the other, nor a block the replicated table drops as a repeat), so the sum over
//   the servers counts every row stored once per INSERT that stored it.
// The check compares the two by event id, with no slack: each committed event inserted once, and
// nothing inserted that never committed.

/** Every row ever inserted into the suite's goods_log: its event id and the good's name. */
export const INSERT_LOG = `${testEnv.CLICKHOUSE_DATABASE}_inserts.goods_log_raw`;

/** Installs both records (idempotent); before any write the check is to cover. */
export async function prepareExactlyOnceRecords(): Promise<void> {
  await prepareCommitRecord();
  await prepareInsertLog();
}

async function prepareCommitRecord(): Promise<void> {
  await testDb().query(`
    CREATE TABLE IF NOT EXISTS test_committed_messages (event_id uuid PRIMARY KEY, payload jsonb NOT NULL);
    CREATE OR REPLACE FUNCTION test_record_committed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO test_committed_messages (event_id, payload) VALUES (NEW.event_id, NEW.payload) ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$;
    DROP TRIGGER IF EXISTS test_record_committed ON goods_outbox;
    CREATE TRIGGER test_record_committed AFTER INSERT ON goods_outbox FOR EACH ROW EXECUTE FUNCTION test_record_committed();
  `);
}

/** Installs the insert log on every server (each replica keeps its own). */
export async function prepareInsertLog(): Promise<void> {
  const [database] = INSERT_LOG.split('.');
  for (const server of CLICKHOUSE_REPLICAS) {
    await chCommand(`CREATE DATABASE IF NOT EXISTS ${database}`, server);
    await chCommand(`CREATE TABLE IF NOT EXISTS ${INSERT_LOG} (EventId UUID, Name String) ENGINE = MergeTree() ORDER BY EventId`, server);
    await chCommand(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${INSERT_LOG}_mv TO ${INSERT_LOG} AS SELECT EventId, Name FROM ${testEnv.CLICKHOUSE_DATABASE}.goods_log`,
      server,
    );
  }
}

/** The committed events of goods whose names start with `prefix` (a part stands for its goods). */
export async function committedEvents(prefix: string): Promise<string[]> {
  const { rows } = await testDb().query<{ payload: AuditMessage }>(
    `SELECT payload FROM test_committed_messages
      WHERE payload->>'name' LIKE $1
         OR (payload ? 'goods' AND EXISTS (SELECT 1 FROM jsonb_array_elements(payload->'goods') g WHERE g->>1 LIKE $1))`,
    [`${prefix}%`],
  );
  return rows.flatMap(({ payload }) => eventsOf(payload, partEventId).filter((e) => e.name.startsWith(prefix))).map((e) => e.eventId);
}

/** How many times each event id of goods named `prefix…` was inserted into goods_log, summed over the servers. */
export async function insertedEvents(prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const server of CLICKHOUSE_REPLICAS) {
    const rows = await chQuery<{ id: string; n: number }>(
      `SELECT toString(EventId) AS id, count() AS n FROM ${INSERT_LOG} WHERE startsWith(Name, '${prefix.replace(/'/g, '')}') GROUP BY EventId`,
      server,
    );
    for (const r of rows) counts.set(r.id, (counts.get(r.id) ?? 0) + Number(r.n));
  }
  return counts;
}

/**
 * Every event of goods named `prefix…` that committed is inserted into goods_log exactly once,
 * and nothing else of them is. `acknowledged`: how many events the writes that answered 2xx stand
 * for; the committed events must be exactly those.
 */
export async function expectExactlyOnce(prefix: string, acknowledged: number, timeoutMs = 90_000): Promise<void> {
  const committed = await committedEvents(prefix);
  expect(committed.length, 'events committed by the acknowledged writes').toBe(acknowledged);
  const inserted = await waitFor(
    `${committed.length} events of ${prefix} in goods_log`,
    async () => {
      const counts = await insertedEvents(prefix);
      return committed.every((id) => counts.has(id)) ? counts : undefined;
    },
    timeoutMs,
    250,
  );
  const known = new Set(committed);
  const twice = [...inserted].filter(([, n]) => n > 1).map(([id]) => id);
  const unknown = [...inserted.keys()].filter((id) => !known.has(id));
  expect({ twice, unknown }).toEqual({ twice: [], unknown: [] });
}
