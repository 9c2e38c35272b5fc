import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTestDb, createProject, misplacedGoods } from '../support/db.ts';
import { expectExactlyOnce } from '../support/exactly-once.ts';
import { type IngestProcess, startIngest } from '../support/ingest.ts';
import { resetState } from '../support/reset.ts';
import { services } from '../support/services.ts';
import { commandArbitraries, type Real, type Restartable } from './commands.ts';
import { loggedHistory, modelHistory, sortedGroups } from './audit-history.ts';
import { ReferenceModel } from './reference-model.ts';

// Random sequences of API calls, each checked against the reference model, then the audit log
// checked against the model's event history. MODEL_OPS sets how many operations (default 2000),
// MODEL_SEED replays a run (the seed is printed on failure): `npm run test:model -- --ops 10000`.

const TARGET_OPS = Number(process.env.MODEL_OPS ?? 2000);
const SEED = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : undefined;

let projects: number[];

let ingest: IngestProcess | undefined;
beforeAll(async () => {
  ingest = await startIngest();
  projects = [1, await createProject('model second'), await createProject('model third')];
});
afterAll(async () => {
  await ingest?.stop();
  await closeTestDb();
});

async function restart(what: Restartable): Promise<void> {
  if (what === 'ingest worker') {
    await ingest?.kill();
    ingest = await startIngest();
  } else {
    await services('down', what);
    await services('up', what);
  }
}

describe('model-based random test', () => {
  it(
    `${TARGET_OPS} random operations, some concurrent, across restarts, match the reference model, and goods_log its history per good`,
    async () => {
      const ops = { count: 0, atLastRestart: 0 };
      const started = performance.now();
      const progress = { sequences: 0, events: 0 };
      const property = fc.asyncProperty(fc.commands(commandArbitraries(), { maxCommands: 250 }), async (commands) => {
        if (ops.count >= TARGET_OPS) return;
        await resetState();
        const token = `m${randomUUID().slice(0, 8)}-`;
        const missingProject = 1_000_000;
        const real: Real = { token, ops, projectIds: [...projects, projects[0]!, projects[1]!, missingProject], restart };
        const model = new ReferenceModel(new Set(projects));
        await fc.asyncModelRun(() => ({ model, real }), commands);
        // The list's order keys and block counts are exact (every page is the right slice).
        expect(await misplacedGoods()).toEqual([]);
        await expectExactlyOnce(token, model.events.length);
        // Per good: the same events, of the same kinds, in the model's order.
        const logged = await loggedHistory(token, model.events.length);
        expect(sortedGroups(logged)).toEqual(modelHistory(model.events, logged));
        progress.sequences++;
        progress.events += model.events.length;
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
