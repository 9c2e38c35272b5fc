// The audit log as the model test reads it: each good's events in goods_log, in event-time order.
import { isDeepStrictEqual } from 'node:util';
import type { GoodsLogRow } from '../../worker-ingest/src/event.ts';
import { chQuery } from '../support/clickhouse.ts';
import { waitFor } from '../support/wait.ts';
import type { ModelEvent } from './reference-model.ts';

/** Each good's events, in time order, as groups of events with the same time (either order). */
export type History = Map<number, string[][]>;

export function keyOf(e: ModelEvent): string {
  return JSON.stringify([e.kind, e.id, e.projectId, e.name, e.description, e.priority, e.removed ? 1 : 0]);
}

/**
 * Each good's events in goods_log, in the order of their event times, as groups: events of one
 * good with the same time (to the millisecond) may be in either order.
 */
export async function loggedHistory(token: string, expected: number): Promise<History> {
  await waitFor(
    `${expected} events for ${token} in goods_log`,
    async () => {
      const [row] = await chQuery<{ n: number }>(`SELECT count() AS n FROM goods_log WHERE startsWith(Name, '${token}')`);
      return (row?.n ?? 0) >= expected;
    },
    60_000,
    250,
  );
  const rows = await chQuery<
    Omit<GoodsLogRow, 'EventTime' | 'EventId' | 'EventTimeMs' | 'Kind'> & { Kind: ModelEvent['kind']; At: string }
  >(
    `SELECT Kind, Id, ProjectId, Name, Description, Priority, Removed, toString(EventTimeMs) AS At
     FROM goods_log WHERE startsWith(Name, '${token}') ORDER BY Id, EventTimeMs`,
  );
  const history = new Map<number, string[][]>();
  let last: { id: number; at: string } | undefined;
  for (const r of rows) {
    const key = keyOf({
      kind: r.Kind,
      id: r.Id,
      projectId: r.ProjectId,
      name: r.Name,
      description: r.Description,
      priority: r.Priority,
      removed: r.Removed === 1,
    });
    const groups = history.get(r.Id) ?? [];
    if (last?.id === r.Id && last.at === r.At) groups.at(-1)!.push(key);
    else groups.push([key]);
    history.set(r.Id, groups);
    last = { id: r.Id, at: r.At };
  }
  return history;
}

/** The model's events of each good, cut into groups the size of the logged ones (order within a group ignored). */
export function modelHistory(events: ModelEvent[], logged: History): History {
  const perGood = new Map<number, string[]>();
  for (const e of events) perGood.set(e.id, [...(perGood.get(e.id) ?? []), keyOf(e)]);
  const history = new Map<number, string[][]>();
  for (const [id, keys] of perGood) {
    const groups: string[][] = [];
    let at = 0;
    for (const group of logged.get(id) ?? [keys]) {
      groups.push(keys.slice(at, at + group.length).sort());
      at += group.length;
    }
    if (at < keys.length) groups.push(keys.slice(at).sort());
    history.set(id, groups);
  }
  return history;
}

export const sortedGroups = (history: History): History =>
  new Map([...history].map(([id, groups]) => [id, groups.map((g) => [...g].sort())]));

/** Whether the log shows the model's events, good by good, in the model's order. */
export function historiesAgree(logged: History, events: ModelEvent[]): boolean {
  return isDeepStrictEqual(sortedGroups(logged), modelHistory(events, logged));
}
