// In-memory adapters for handler-level tests: the app runs in-process with `app.request()`,
// and every trip to Postgres, the list cache or NATS is recorded here instead.
import { type AuditMessage, eventsOf, type GoodEvent } from '../../shared/event.ts';
import { partEventId } from '../../worker-ingest/src/event.ts';
import { AuditLogUnavailable, type HistoryEntry } from '../../functions/audit/history.ts';
import type { CachedPage, CacheLookup } from '../../functions/cache/list-cache.ts';
import type { ListCounts } from '../../functions/cache/list-change.ts';
import type { AdapterFactory } from '../../functions/http/adapters.ts';

export interface FakeQuery {
  sql: string;
  params: unknown[];
}

export interface Fakes {
  adapters: AdapterFactory;
  queries: FakeQuery[];
  published: AuditMessage[][];
  invalidations: number;
  /** Cached pages by `limit:offset`, with the stamp they were stored under (the fake's one generation, which every write bumps). */
  pages: Map<string, { stamp: string; page: CachedPage }>;
  /** The cached counts, kept when newer. */
  counts: ListCounts | null;
  /** The audit log the fake reads: every published event, as if ingested at once. */
  auditLogDown: boolean;
  /** Work handed to `defer`, settled. */
  settle(): Promise<void>;
  /** Calls of each dependency's health probe. */
  probed: Record<string, number>;
  /** Dependencies whose health probe fails, with the error text it fails with. */
  down: Map<string, string>;
}

const DEPENDENCIES = ['postgres', 'redis', 'nats', 'clickhouse'];
let instances = 0;

/** `answer` plays Postgres: the rows for a statement, or a throw for one the test did not expect. */
export function fakeAdapters(
  answer: (query: FakeQuery) => Record<string, unknown>[] | Promise<Record<string, unknown>[]> = unexpected,
): Fakes {
  const deferred: Promise<unknown>[] = [];
  let generation = 0;
  // Probe results are shared per target for a second: each set of fakes is a target of its own.
  const target = `fakes ${++instances}`;
  const fakes: Fakes = {
    queries: [],
    published: [],
    invalidations: 0,
    pages: new Map(),
    counts: null,
    auditLogDown: false,
    settle: async () => {
      while (deferred.length > 0) await Promise.allSettled(deferred.splice(0));
    },
    probed: Object.fromEntries(DEPENDENCIES.map((name) => [name, 0])),
    down: new Map(),
    adapters: () => ({
      db: (work) =>
        work(
          {
            query: async <R>(sql: string, params: unknown[] = []) => {
              const query = { sql, params };
              fakes.queries.push(query);
              return { rows: (await answer(query)) as R[] };
            },
          },
          new Date(Date.now() + 4_000),
        ),
      listCache: {
        pageKey: (limit, offset) => `${target}:${limit}:${offset}`,
        lookup: async (limit, offset): Promise<CacheLookup> => {
          const stored = fakes.pages.get(`${limit}:${offset}`);
          const stamp = String(generation);
          return { stamp, page: stored?.stamp === stamp ? stored.page : null, counts: fakes.counts };
        },
        store: async (stamp, limit, offset, page, counts) => {
          fakes.pages.set(`${limit}:${offset}`, { stamp, page });
          if (stamp === String(generation)) keepNewer(counts);
        },
        invalidate: async (change) => {
          generation++;
          fakes.invalidations++;
          keepNewer(change);
        },
      },
      publish: async (events) => {
        fakes.published.push([...events]);
      },
      defer: (work) => {
        deferred.push(work);
      },
      auditLog: {
        history: async (good, { limit, offset }) => {
          const entries = logged()
            .filter((e) => e.id === good.id && e.projectId === good.projectId)
            .sort((a, b) => b.eventTime.localeCompare(a.eventTime))
            .map(({ eventId: _, kind, ...state }): HistoryEntry => ({ ...state, kind: kind ?? 'unknown' }));
          return { meta: { total: entries.length, limit, offset }, history: entries.slice(offset - 1, offset - 1 + limit) };
        },
        projectStats: async (projectId, { from, to }) => {
          const counts = new Map<string, number>();
          for (const e of logged().filter((e) => e.projectId === projectId)) {
            const key = `${e.eventTime.slice(0, 10)} ${e.kind ?? 'unknown'}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
          const rows = [...counts].map(([key, changes]) => {
            const [day, kind] = key.split(' ') as [string, HistoryEntry['kind']];
            return { day, kind, changes };
          });
          return {
            projectId,
            from,
            to,
            days: rows.filter((r) => r.day >= from && r.day <= to).sort((a, b) => (a.day + a.kind).localeCompare(b.day + b.kind)),
          };
        },
      },
      health: Object.fromEntries(
        DEPENDENCIES.map((name) => [
          name,
          {
            target,
            check: async () => {
              fakes.probed[name]!++;
              await new Promise((resolve) => setTimeout(resolve, 10)); // in flight for a while, as a real probe is
              const error = fakes.down.get(name);
              if (error !== undefined) throw new Error(error);
            },
          },
        ]),
      ),
    }),
  };
  function keepNewer({ version, total, removed }: ListCounts): void {
    if (!fakes.counts || fakes.counts.version < version) fakes.counts = { version, total, removed };
  }
  function logged(): GoodEvent[] {
    if (fakes.auditLogDown) throw new AuditLogUnavailable('the audit log is down');
    return fakes.published.flat().flatMap((message) => eventsOf(message, partEventId));
  }
  return fakes;
}

function unexpected({ sql }: FakeQuery): never {
  throw new Error(`no statement expected here, got: ${sql}`);
}
