import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chQuery } from '../support/clickhouse.ts';
import { closeTestDb, createProject, misplacedGoods } from '../support/db.ts';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { useIngestWorker } from '../support/ingest.ts';
import { resetState } from '../support/reset.ts';
import { waitFor } from '../support/wait.ts';
import { commandArbitraries, type Real } from './commands.ts';
import { type ModelGood, ReferenceModel } from './reference-model.ts';

// Random sequences of API calls, each checked against the reference model, then the audit log
// checked against the model's event history. MODEL_OPS sets how many operations (default 2000),
// MODEL_SEED replays a run (the seed is printed on failure): `npm run test:model -- --ops 10000`.

const TARGET_OPS = Number(process.env.MODEL_OPS ?? 2000);
const SEED = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : undefined;

let projects: number[];

useIngestWorker();
beforeAll(async () => {
  projects = [1, await createProject('model second'), await createProject('model third')];
});
afterAll(closeTestDb);

type EventKey = Omit<ModelGood, never>;

function keyOf(e: EventKey): string {
  return JSON.stringify([e.id, e.projectId, e.name, e.description, e.priority, e.removed ? 1 : 0]);
}

async function auditLogOf(token: string, expected: number): Promise<string[]> {
  await waitFor(
    `${expected} events for ${token} in goods_log`,
    async () => {
      const [row] = await chQuery<{ n: number }>(`SELECT count() AS n FROM goods_log WHERE startsWith(Name, '${token}')`);
      return (row?.n ?? 0) >= expected;
    },
    60_000,
    250,
  );
  const rows = await chQuery<{ Id: number; ProjectId: number; Name: string; Description: string; Priority: number; Removed: number }>(
    `SELECT Id, ProjectId, Name, Description, Priority, Removed FROM goods_log WHERE startsWith(Name, '${token}')`,
  );
  return rows
    .map((r) =>
      keyOf({ id: r.Id, projectId: r.ProjectId, name: r.Name, description: r.Description, priority: r.Priority, removed: r.Removed === 1 }),
    )
    .sort();
}

describe('model-based random test', () => {
  it(
    `${TARGET_OPS} random operations match the reference model, and goods_log its event history`,
    async () => {
      const ops = { count: 0 };
      const started = performance.now();
      const progress = { sequences: 0, events: 0 };
      const property = fc.asyncProperty(fc.commands(commandArbitraries(), { maxCommands: 250 }), async (commands) => {
        if (ops.count >= TARGET_OPS) return;
        await resetState();
        const token = `m${randomUUID().slice(0, 8)}-`;
        const missingProject = 1_000_000;
        const real: Real = { token, ops, projectIds: [...projects, projects[0]!, projects[1]!, missingProject] };
        const model = new ReferenceModel(new Set(projects));
        await fc.asyncModelRun(() => ({ model, real }), commands);
        // The list's order keys and block counts are exact (every page is the right slice).
        expect(await misplacedGoods()).toEqual([]);
        const history = model.events.map(keyOf).sort();
        await expectExactlyOnce(token, history.length);
        expect(await auditLogOf(token, history.length)).toEqual(history);
        progress.sequences++;
        progress.events += history.length;
        console.log(`model: ${Math.min(ops.count, TARGET_OPS)}/${TARGET_OPS} operations, ${progress.sequences} sequences checked`);
      });
      await fc.assert(property, { numRuns: 10_000, seed: SEED, endOnFailure: true, verbose: 1 });
      expect(ops.count).toBeGreaterThanOrEqual(TARGET_OPS);
      const seconds = (performance.now() - started) / 1000;
      console.table({
        operations: ops.count,
        'command sequences': progress.sequences,
        'events checked in goods_log': progress.events,
        seconds: Number(seconds.toFixed(1)),
        'operations/s': Number((ops.count / seconds).toFixed(1)),
        seed: SEED ?? 'random',
      });
    },
    30 * 60_000,
  );
});
