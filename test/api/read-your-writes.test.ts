import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGoods as pageFromPostgres } from '../../functions/goods/list-goods.ts';
import { createGood, listGoods, removeGood, reprioritize, updateGood } from '../support/api.ts';
import { closeTestDb, testDb } from '../support/db.ts';
import { resetState } from '../support/reset.ts';
import { sleep } from '../support/wait.ts';

// Read-your-writes, raced on the very page the writes change: clients list the first page
// nonstop (so its cache is filled and hit all the time) while writes of every kind land on it.
// Every list that starts after a write has answered must be the page as Postgres has it after
// that write or a later one, `meta` included: never an older page.

const PAGE = { limit: 10, offset: 1 };

beforeAll(resetState);
afterAll(closeTestDb);

interface Listed {
  startedAt: number;
  text: string;
  cache: string | null;
}

describe('read-your-writes on the page the writes change', () => {
  it('never serves a page older than a write that has answered, under concurrent lists', { timeout: 120_000 }, async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push((await createGood(1, { name: `ryw-${i}` })).body.id);

    const listed: Listed[] = [];
    let racing = true;
    const racers = Array.from({ length: 8 }, async () => {
      while (racing) {
        const startedAt = performance.now();
        const response = await listGoods(PAGE);
        expect(response.status).toBe(200);
        listed.push({ startedAt, text: response.text, cache: response.headers.get('x-cache') });
      }
    });

    // Each write's window: from its answer to the next write's start; the page Postgres has then.
    const windows: { write: string; from: number; to: number; expected: string }[] = [];
    const writes: [string, () => Promise<{ status: number }>][] = [];
    for (let round = 0; round < 6; round++) {
      const target = ids[round % ids.length]!;
      writes.push(
        [`update ${target}`, () => updateGood(target, 1, { name: `ryw-${target}-v${round}` })],
        [`create ${round}`, () => createGood(1, { name: `ryw-new-${round}` })],
        [`reprioritize ${target} to ${1 + (round % 4)}`, () => reprioritize(target, 1, 1 + (round % 4))],
      );
      if (round % 2 === 1) writes.push([`remove ${target}`, () => removeGood(target, 1)]);
    }
    try {
      for (const [write, send] of writes) {
        expect((await send()).status, write).toBe(200);
        const from = performance.now();
        const expected = JSON.stringify(await pageFromPostgres(testDb(), PAGE));
        await sleep(150); // lists that start in this window must all see this write
        windows.push({ write, from, to: performance.now(), expected });
      }
    } finally {
      racing = false;
      await Promise.all(racers);
    }

    // A list that starts in a write's window may end after the next write and show it too; what
    // it must never show is a page from before the write: each page here is one write's own.
    let checked = 0;
    let hits = 0;
    for (const [i, { write, from, to }] of windows.entries()) {
      const notOlder = new Set(windows.slice(i).map((w) => w.expected));
      for (const list of listed.filter((l) => l.startedAt > from && l.startedAt < to)) {
        expect(notOlder.has(list.text), `a list after ${write} (${list.cache}) shows an older page: ${list.text}`).toBe(true);
        checked++;
        if (list.cache === 'hit') hits++;
      }
    }
    // The race was real: many lists inside the windows, many of them served from the cache.
    expect(checked).toBeGreaterThan(windows.length * 3);
    expect(hits).toBeGreaterThan(windows.length);
  });
});
