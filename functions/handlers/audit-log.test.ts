import { describe, expect, it } from 'vitest';
import { type FakeQuery, fakeAdapters } from '../../test/support/fake-adapters.ts';
import { sendInProcess as send } from '../../test/support/in-process.ts';

const good = { id: 7, projectId: 1, name: 'a', description: '', priority: 7, removed: false };
const event = (n: number, kind: 'create' | 'update') => ({
  eventId: `0b6c1f0e-4b53-4a43-9a9f-1f0b9e1c2d3${n}`,
  ...good,
  name: `v${n}`,
  eventTime: `2026-11-25T00:00:0${n}.000Z`,
  kind,
});

/** Good 7 and project 1 exist; writes answer with the next event. */
function postgres({ sql, params }: FakeQuery): Record<string, unknown>[] {
  if (sql.includes('FROM goods WHERE')) return params[0] === 7 && params[1] === 1 ? [{}] : [];
  if (sql.includes('FROM projects')) return params[0] === 1 ? [{}] : [];
  throw new Error(`unexpected statement: ${sql}`);
}

describe('audit log endpoints, with fake adapters', () => {
  it('history: every logged state of the good, newest first, paged', async () => {
    const fakes = fakeAdapters(postgres);
    fakes.published.push([event(1, 'create')], [event(2, 'update')], [{ ...event(3, 'update'), id: 8 }]);
    const all = await send(fakes, 'GET', '/goods/history', { query: { id: 7, projectId: 1 } });
    expect(all.status).toBe(200);
    expect(all.body.meta).toEqual({ total: 2, limit: 10, offset: 1 });
    expect(all.body.history.map((h: { name: string; kind: string }) => [h.name, h.kind])).toEqual([
      ['v2', 'update'],
      ['v1', 'create'],
    ]);
    const second = await send(fakes, 'GET', '/goods/history', { query: { id: 7, projectId: 1, limit: 1, offset: 2 } });
    expect(second.body.history.map((h: { name: string }) => h.name)).toEqual(['v1']);
  });

  it('history: 404 for a good the project does not have, 400 for bad parameters, 503 when the log is down', async () => {
    const fakes = fakeAdapters(postgres);
    expect((await send(fakes, 'GET', '/goods/history', { query: { id: 9, projectId: 1 } })).body).toEqual({
      code: 3,
      message: 'errors.good.notFound',
      details: {},
    });
    const bad = await send(fakes, 'GET', '/goods/history', { query: { id: 0, projectId: 1, limit: 5000 } });
    expect([bad.status, bad.body.details]).toEqual([400, { id: 'must be positive', limit: 'must be at most 1000' }]);
    fakes.auditLogDown = true;
    expect((await send(fakes, 'GET', '/goods/history', { query: { id: 7, projectId: 1 } })).body).toEqual({
      code: 8,
      message: 'errors.auditLog.unavailable',
      details: {},
    });
  });

  it('stats: changes per day and kind for the last 30 days; 404 for an unknown project; 503 when the log is down', async () => {
    const fakes = fakeAdapters(postgres);
    const today = new Date().toISOString().slice(0, 10);
    const now = (n: number, kind: 'create' | 'update') => ({ ...event(n, kind), eventTime: `${today}T00:00:0${n}.000Z` });
    fakes.published.push(
      [now(1, 'create')],
      [now(2, 'update')],
      [now(3, 'update')],
      [{ ...event(4, 'create'), eventTime: '2020-01-01T00:00:00.000Z' }],
    );
    const stats = await send(fakes, 'GET', '/projects/stats', { query: { projectId: 1 } });
    expect(stats.body).toEqual({
      projectId: 1,
      from: new Date(Date.parse(today) - 29 * 86_400_000).toISOString().slice(0, 10),
      to: today,
      days: [
        { day: today, kind: 'create', changes: 1 },
        { day: today, kind: 'update', changes: 2 },
      ],
    });
    expect((await send(fakes, 'GET', '/projects/stats', { query: { projectId: 2 } })).status).toBe(404);
    expect((await send(fakes, 'GET', '/projects/stats', { query: { projectId: 'x' } })).status).toBe(400);
    fakes.auditLogDown = true;
    expect((await send(fakes, 'GET', '/projects/stats', { query: { projectId: 1 } })).status).toBe(503);
  });
});
