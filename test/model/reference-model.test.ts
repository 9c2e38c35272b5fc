import { describe, expect, it } from 'vitest';
import { ReferenceModel } from './reference-model.ts';

describe('reference model', () => {
  it('follows the contract for a small story', () => {
    const model = new ReferenceModel(new Set([1]));
    expect(model.create(2, 'x', '')).toEqual({ ok: false, status: 404, message: 'errors.project.notFound' });
    for (const name of ['a', 'b', 'c', 'd']) model.create(1, name, '');
    expect(model.reprioritize(4, 1, 2)).toEqual({
      ok: true,
      value: [
        { id: 4, priority: 2 },
        { id: 2, priority: 3 },
        { id: 3, priority: 4 },
      ],
    });
    expect(model.remove(2, 1)).toEqual({ ok: true, value: { id: 2, campaignId: 1, removed: true } });
    expect(model.update(2, 1, 'z', undefined)).toMatchObject({ ok: false, status: 404 });
    expect(model.list(2, 2)).toEqual({
      meta: { total: 4, removed: 1, limit: 2, offset: 2 },
      goods: [
        { id: 4, projectId: 1, name: 'd', description: '', priority: 2, removed: false },
        { id: 2, projectId: 1, name: 'b', description: '', priority: 3, removed: true },
      ],
    });
    expect(model.events).toHaveLength(4 + 3 + 1);
  });

  it('records the kind of every change, and clones into an independent copy', () => {
    const model = new ReferenceModel(new Set([1]));
    model.create(1, 'a', '');
    const copy = model.clone();
    copy.update(1, 1, 'b', undefined);
    copy.create(1, 'c', '');
    expect(model.events.map((e) => [e.kind, e.name])).toEqual([['create', 'a']]);
    expect(model.list(10, 1).goods.map((g) => g.name)).toEqual(['a']);
    expect(copy.events.map((e) => [e.kind, e.id, e.name])).toEqual([
      ['create', 1, 'a'],
      ['update', 1, 'b'],
      ['create', 2, 'c'],
    ]);
  });
});
