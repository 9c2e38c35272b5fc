// The audit log endpoints through the whole pipeline: writes through the API, events through
// NATS and the ingest worker into ClickHouse, read back at the edge.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { api, createGood, removeGood, reprioritize, updateGood } from '../support/api.ts';
import { chCommand, waitForEvents } from '../support/clickhouse.ts';
import { closeTestDb, createProject } from '../support/db.ts';
import { useIngestWorker } from '../support/ingest.ts';
import { resetState } from '../support/reset.ts';
import { whileDown } from '../support/services.ts';

useIngestWorker();
let prefix: string;
// A project of its own for each test: goods ids restart with each reset, but goods_test's log
// keeps the events of earlier tests and runs.
let project: number;

afterAll(closeTestDb);
beforeEach(async () => {
  await resetState();
  prefix = `history-${randomUUID().slice(0, 8)}`;
  project = await createProject(prefix);
});

const history = (id: number, query: Record<string, number> = {}) =>
  api('GET', '/goods/history', { query: { id, projectId: project, ...query } });
const stats = (projectId: number) => api('GET', '/projects/stats', { query: { projectId } });

describe('GET /goods/history', () => {
  it('reads every logged state of a good back, newest first, each once', async () => {
    const created = (await createGood(project, { name: `${prefix}-a`, description: 'first' })).body;
    await updateGood(created.id, project, { name: `${prefix}-b` });
    const other = (await createGood(project, { name: `${prefix}-other` })).body;
    await reprioritize(other.id, project, 1); // moves the first good too
    await removeGood(created.id, project);
    await waitForEvents(prefix, 6);

    const answer = await history(created.id);
    expect(answer.status).toBe(200);
    expect(answer.body.meta).toEqual({ total: 4, limit: 10, offset: 1 });
    expect(answer.body.history.map((h: Record<string, unknown>) => [h.kind, h.name, h.priority, h.removed])).toEqual([
      ['remove', `${prefix}-b`, 2, true],
      ['reprioritize', `${prefix}-b`, 2, false],
      ['update', `${prefix}-b`, 1, false],
      ['create', `${prefix}-a`, 1, false],
    ]);
    // A row the log holds twice (a repeat that merges have not collapsed yet) is read once.
    await chCommand(
      `INSERT INTO goods_log SELECT * FROM goods_log WHERE Id = ${created.id} AND ProjectId = ${project} AND Kind = 'update'`,
    );
    expect((await history(created.id)).body).toEqual(answer.body);
    const times = answer.body.history.map((h: { eventTime: string }) => Date.parse(h.eventTime));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await history(created.id, { limit: 2, offset: 3 })).body.history.map((h: { kind: string }) => h.kind)).toEqual([
      'update',
      'create',
    ]);
  });

  it('answers 404 for a good the project does not have, and 400 for bad parameters', async () => {
    expect((await history(999_999)).body).toEqual({ code: 3, message: 'errors.good.notFound', details: {} });
    expect((await history(0)).status).toBe(400);
  });
});

describe('GET /projects/stats', () => {
  it('counts the changes of the last 30 days per day and kind', async () => {
    expect((await stats(project)).body.days).toEqual([]);
    const a = (await createGood(project, { name: `${prefix}-a` })).body;
    const b = (await createGood(project, { name: `${prefix}-b` })).body;
    await updateGood(a.id, project, { name: `${prefix}-a2` });
    await reprioritize(b.id, project, 1);
    await removeGood(a.id, project);
    await waitForEvents(prefix, 6);
    const answer = await stats(project);
    expect(answer.status).toBe(200);
    // The day is the event's (UTC); a run across midnight may split the counts over two days.
    const changes = (kind: string) =>
      answer.body.days.filter((d: { kind: string }) => d.kind === kind).reduce((n: number, d: { changes: number }) => n + d.changes, 0);
    expect(['create', 'update', 'reprioritize', 'remove'].map(changes)).toEqual([2, 1, 2, 1]);
    expect(Date.parse(answer.body.to) - Date.parse(answer.body.from)).toBe(29 * 86_400_000);
    expect((await stats(2_000_000_000)).status).toBe(404);
  });
});

describe('with ClickHouse down', () => {
  it('the audit log endpoints answer 503 in the error shape, and writes still succeed', { timeout: 90_000 }, async () => {
    const good = (await createGood(project, { name: `${prefix}-a` })).body;
    await whileDown('clickhouse', async () => {
      for (const [path, query] of [
        ['/goods/history', { id: good.id, projectId: project }],
        ['/projects/stats', { projectId: project }],
      ] as const) {
        const answer = await api('GET', path, { query });
        expect([answer.status, answer.body]).toEqual([503, { code: 8, message: 'errors.auditLog.unavailable', details: {} }]);
      }
      expect((await updateGood(good.id, project, { name: `${prefix}-b` })).status).toBe(200);
    });
    await waitForEvents(prefix, 2);
    expect((await history(good.id)).body.history.map((h: { kind: string }) => h.kind)).toEqual(['update', 'create']);
  });
});
