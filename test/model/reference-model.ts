/** The contract as a small in-memory model: what every request must answer and leave behind. */
import type { GoodState } from '../../functions/goods/types.ts';
import type { ChangeKind } from '../../shared/event.ts';

export type ModelGood = GoodState;
/** An audit event: the good's state after the change, and the kind of change. */
export type ModelEvent = ModelGood & { kind: ChangeKind };

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

const goodNotFound = { ok: false, status: 404, message: 'errors.good.notFound' } as const;

export class ReferenceModel {
  readonly goods = new Map<number, ModelGood>();
  /** Every audit event: the good's state after each change, in order. */
  readonly events: ModelEvent[] = [];
  private nextId = 1;

  constructor(readonly projects: ReadonlySet<number>) {}

  /** An independent copy, to try an order of concurrent writes on. */
  clone(): ReferenceModel {
    const copy = new ReferenceModel(this.projects);
    for (const [id, good] of this.goods) copy.goods.set(id, { ...good });
    copy.events.push(...this.events);
    copy.nextId = this.nextId;
    return copy;
  }

  get size(): number {
    return this.goods.size;
  }

  liveIds(): number[] {
    return [...this.goods.values()].filter((g) => !g.removed).map((g) => g.id);
  }

  /**
   * `id` is for creates that ran concurrently: ids come from a sequence taken before the
   * priority lock, so among those the id order need not be the commit order.
   */
  create(projectId: number, name: string, description: string, id = this.nextId): Outcome<ModelGood> {
    if (!this.projects.has(projectId)) return { ok: false, status: 404, message: 'errors.project.notFound' };
    if (id < this.nextId && this.goods.has(id)) throw new Error(`id ${id} is already taken`);
    this.nextId = Math.max(this.nextId, id + 1);
    const priority = Math.max(0, ...[...this.goods.values()].map((g) => g.priority)) + 1;
    const good = { id, projectId, name, description, priority, removed: false };
    this.goods.set(good.id, good);
    this.record(good, 'create');
    return { ok: true, value: { ...good } };
  }

  update(id: number, projectId: number, name: string, description: string | undefined): Outcome<ModelGood> {
    const good = this.live(id, projectId);
    if (!good) return goodNotFound;
    good.name = name;
    if (description !== undefined) good.description = description;
    this.record(good, 'update');
    return { ok: true, value: { ...good } };
  }

  remove(id: number, projectId: number): Outcome<{ id: number; campaignId: number; removed: true }> {
    const good = this.live(id, projectId);
    if (!good) return goodNotFound;
    good.removed = true;
    this.record(good, 'remove');
    return { ok: true, value: { id, campaignId: projectId, removed: true } };
  }

  reprioritize(id: number, projectId: number, newPriority: number): Outcome<{ id: number; priority: number }[]> {
    const target = this.live(id, projectId);
    if (!target) return goodNotFound;
    const moved = [...this.goods.values()].filter((g) => g === target || g.priority >= newPriority);
    for (const g of moved) g.priority = g === target ? newPriority : g.priority + 1;
    moved.sort((a, b) => a.priority - b.priority);
    for (const g of moved) this.record(g, 'reprioritize');
    return { ok: true, value: moved.map((g) => ({ id: g.id, priority: g.priority })) };
  }

  list(limit: number, offset: number) {
    const all = [...this.goods.values()].sort((a, b) => a.priority - b.priority || a.id - b.id);
    const start = Math.max(offset, 1) - 1;
    return {
      meta: { total: all.length, removed: all.filter((g) => g.removed).length, limit, offset: Math.max(offset, 1) },
      goods: all.slice(start, start + limit).map((g) => ({ ...g })),
    };
  }

  private live(id: number, projectId: number): ModelGood | undefined {
    const good = this.goods.get(id);
    return good && good.projectId === projectId && !good.removed ? good : undefined;
  }

  private record(good: ModelGood, kind: ModelEvent['kind']): void {
    this.events.push({ ...good, kind });
  }
}
