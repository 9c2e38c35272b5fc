import { api } from './api.ts';

/** Writes acknowledged by the API, and the audit events they must produce. */
export interface WriteLoad {
  acknowledged: number;
  expectedEvents: number;
  failures: string[];
  stop(): Promise<void>;
}

/**
 * Keeps `workers` clients writing (create, update, reprioritize, remove) goods named with
 * `prefix` until stopped. Counts the events each acknowledged write must produce: one per
 * create/update/remove, one per moved good for reprioritize.
 */
export function startWriteLoad(prefix: string, options: { workers?: number; base?: string } = {}): WriteLoad {
  const workers = options.workers ?? 4;
  const load: WriteLoad = { acknowledged: 0, expectedEvents: 0, failures: [], stop: async () => undefined };
  const created: number[] = [];
  let running = true;

  async function step(k: number): Promise<void> {
    const id = created[k % Math.max(created.length, 1)];
    const kind = created.length < 3 || id === undefined ? 'create' : (['create', 'update', 'reprioritize', 'remove'] as const)[k % 4]!;
    const target = { base: options.base, query: { id: id ?? 0, projectId: 1 } };
    const response =
      kind === 'create'
        ? await api('POST', '/goods/create', { base: options.base, query: { projectId: 1 }, json: { name: `${prefix}-${k}` } })
        : kind === 'update'
          ? await api('PATCH', '/goods/update', { ...target, json: { name: `${prefix}-u${k}` } })
          : kind === 'reprioritize'
            ? await api('PATCH', '/goods/reprioritize', { ...target, json: { newPriority: (k % 5) + 1 } })
            : await api('DELETE', '/goods/remove', target);
    if (response.status === 404 && kind !== 'create') return; // already removed: nothing changed
    if (response.status !== 200) {
      load.failures.push(`${kind} ${response.status} ${response.text.slice(0, 200)}`);
      return;
    }
    load.acknowledged++;
    if (kind === 'create') created.push(response.body.id);
    load.expectedEvents += kind === 'reprioritize' ? response.body.priorities.length : 1;
  }

  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let k = w; running; k += workers) await step(k);
  });
  load.stop = async () => {
    running = false;
    await Promise.all(loops);
  };
  return load;
}
