import { api, type ApiResponse, type RequestOptions } from './api.ts';
import { waitFor } from './wait.ts';

type Sent = [method: string, path: string, options: RequestOptions];

type Kind = 'create' | 'update' | 'reprioritize' | 'remove' | 'list';

export interface LoadOptions {
  /** Concurrent clients (default 4). */
  clients?: number;
  /** Another API instance (default: the suite's). */
  base?: string;
  /** Share of requests that are lists (default 0: writes only). */
  listShare?: number;
  /** Stop by itself after this many requests (a bound for long runs). */
  maxRequests?: number;
}

export interface Load {
  /** Writes the API acknowledged with 200. */
  acknowledged: number;
  /** Audit events those writes must produce: one per create/update/remove, one per moved good. */
  expectedEvents: number;
  /** Unexpected answers (a 404 on an already removed good is expected). */
  failures: string[];
  /**
   * Sends every write that got a 5xx or no answer again, with its Idempotency-Key, until it is
   * answered, as a client does; what it then acknowledges is counted like any other answer.
   */
  retryUnanswered(): Promise<void>;
  statuses: Map<number, number>;
  /** Milliseconds per answered request, whatever its status. */
  latencies: Map<Kind, number[]>;
  started: number;
  stop(): Promise<void>;
}

const WRITES: Kind[] = ['create', 'update', 'reprioritize', 'remove'];

interface Page {
  meta: { total: number; removed: number; limit: number; offset: number };
  goods: { id: number; priority: number }[];
}

/**
 * What makes a list answer inconsistent in itself, whenever it was taken: a page torn between two
 * states of the catalogue (meta of one, goods of another), out of order, or with a repeated good.
 */
export function pageProblem(page: Page, limit: number, offset: number): string | undefined {
  const { meta, goods } = page;
  const expectedLength = Math.min(limit, Math.max(0, meta.total - offset + 1));
  if (meta.limit !== limit || meta.offset !== offset) return `meta echoes ${meta.limit}/${meta.offset}, not ${limit}/${offset}`;
  if (meta.removed > meta.total) return `meta.removed ${meta.removed} > meta.total ${meta.total}`;
  if (goods.length !== expectedLength) return `${goods.length} goods at offset ${offset} of ${meta.total}, not ${expectedLength}`;
  if (new Set(goods.map((g) => g.id)).size !== goods.length) return 'a good appears twice';
  if (goods.some((g, i) => i > 0 && g.priority <= goods[i - 1]!.priority)) return 'goods not in strictly rising priority';
  return undefined;
}

/**
 * Clients that keep sending a mix of requests for goods named with `prefix` until stopped,
 * counting what was acknowledged and how long each kind took.
 */
export function startLoad(prefix: string, options: LoadOptions = {}): Load {
  const clients = options.clients ?? 4;
  const listShare = options.listShare ?? 0;
  const load: Load = {
    acknowledged: 0,
    expectedEvents: 0,
    failures: [],
    statuses: new Map(),
    latencies: new Map(),
    started: Date.now(),
    stop: async () => undefined,
    retryUnanswered: async () => undefined,
  };
  const unanswered: { kind: Kind; sent: Sent }[] = [];
  const created: number[] = [];
  let sent = 0;
  let running = true;

  /** The request of step `k`; a write carries an Idempotency-Key of its own. */
  function request(kind: Kind, k: number): Sent {
    const id = created[(k * 7919) % Math.max(created.length, 1)] ?? 0;
    const headers = { 'Idempotency-Key': `${prefix}-${k}` };
    const target = { base: options.base, query: { id, projectId: 1 }, headers };
    switch (kind) {
      case 'create':
        return ['POST', '/goods/create', { base: options.base, query: { projectId: 1 }, json: { name: `${prefix}-${k}` }, headers }];
      case 'update':
        return ['PATCH', '/goods/update', { ...target, json: { name: `${prefix}-u${k}` } }];
      case 'reprioritize':
        return ['PATCH', '/goods/reprioritize', { ...target, json: { newPriority: (k % 5) + 1 } }];
      case 'remove':
        return ['DELETE', '/goods/remove', target];
      case 'list':
        return ['GET', '/goods/list', { base: options.base, query: { limit: 20, offset: (k % 3) * 20 + 1 } }];
    }
  }

  /** Counts an answered write; false when it was not answered (a 5xx), to be sent again. */
  function count(kind: Kind, response: ApiResponse<any>): boolean {
    if (response.status >= 500 || response.status === 409) return false;
    if (response.status !== 200 || kind === 'list') return true;
    load.acknowledged++;
    if (kind === 'create') created.push(response.body.id);
    load.expectedEvents += kind === 'reprioritize' ? response.body.priorities.length : 1;
    return true;
  }

  async function step(k: number): Promise<void> {
    const kind: Kind =
      created.length < 3 ? 'create' : (k % 100) / 100 < listShare ? 'list' : WRITES[Math.floor(k / 100 + k) % WRITES.length]!;
    const started = performance.now();
    const sent = request(kind, k);
    let response: ApiResponse<any>;
    try {
      response = await api(...sent);
    } catch (error) {
      load.failures.push(`${kind}: ${String(error)} ${String((error as { cause?: unknown }).cause ?? '')}`);
      if (kind !== 'list') unanswered.push({ kind, sent });
      return;
    }
    const latencies = load.latencies.get(kind) ?? [];
    latencies.push(performance.now() - started);
    load.latencies.set(kind, latencies);
    load.statuses.set(response.status, (load.statuses.get(response.status) ?? 0) + 1);
    if (response.status === 404 && kind !== 'create' && kind !== 'list') return; // removed meanwhile
    if (kind === 'list' && response.status === 200) {
      const { limit, offset } = sent[2].query as { limit: number; offset: number };
      const problem = pageProblem(response.body, limit, offset);
      if (problem) load.failures.push(`list ${limit}/${offset}: ${problem}`);
    }
    if (response.status !== 200) load.failures.push(`${kind} ${response.status} ${response.text.slice(0, 200)}`);
    if (!count(kind, response) && kind !== 'list') unanswered.push({ kind, sent });
  }

  const loops = Array.from({ length: clients }, async (_, c) => {
    for (let k = c; running && (options.maxRequests === undefined || sent < options.maxRequests); k += clients) {
      sent++;
      await step(k);
    }
  });
  load.stop = async () => {
    running = false;
    await Promise.all(loops);
  };
  load.retryUnanswered = async () => {
    for (const { kind, sent } of unanswered.splice(0)) {
      await waitFor(`an answer to ${sent[0]} ${sent[1]} sent again`, async () => count(kind, await api(...sent)), 60_000, 250);
    }
  };
  return load;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** One line per request kind: count, rate, p50 and p99 latency; then the statuses seen. */
export function loadReport(load: Load, seconds: number): string {
  const lines = [...load.latencies].map(([kind, ms]) => {
    const sorted = [...ms].sort((a, b) => a - b);
    return `${kind.padEnd(13)} ${String(ms.length).padStart(7)} req ${(ms.length / seconds).toFixed(1).padStart(8)}/s  p50 ${percentile(sorted, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(sorted, 99).toFixed(1).padStart(7)} ms`;
  });
  const statuses = [...load.statuses].map(([s, n]) => `${s}: ${n}`).join(', ');
  return [...lines, `statuses      ${statuses}`].join('\n');
}
