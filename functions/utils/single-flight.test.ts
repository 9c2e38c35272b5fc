import { describe, expect, it } from 'vitest';
import { singleFlight } from './single-flight.ts';

function setup() {
  let clock = 0;
  const shared = singleFlight<number>(1_000, () => clock);
  const runs: string[] = [];
  const run = (key: string, answer: () => Promise<number>, tag?: string) =>
    shared(
      key,
      () => {
        runs.push(key);
        return answer();
      },
      tag,
    );
  return { runs, run, advance: (ms: number) => (clock += ms) };
}

describe('singleFlight', () => {
  it('shares a run in flight among concurrent callers of its key', async () => {
    const { runs, run } = setup();
    let resolve = (_: number) => {};
    const answer = new Promise<number>((settle) => (resolve = settle));
    const results = Promise.all(Array.from({ length: 1_000 }, () => run('a', () => answer)));
    resolve(7);
    expect(await results).toEqual(Array(1_000).fill(7));
    expect(runs).toEqual(['a']);
  });

  it('shares a settled run, a failure too, until ttl after it started', async () => {
    const { runs, run, advance } = setup();
    await expect(run('a', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    advance(999);
    await expect(run('a', async () => 1)).rejects.toThrow('down');
    advance(1);
    expect(await run('a', async () => 2)).toBe(2);
    expect(runs).toEqual(['a', 'a']);
  });

  it('gives up on a run that never settles once ttl has passed', async () => {
    const { runs, run, advance } = setup();
    void run('a', () => new Promise<number>(() => {}));
    advance(1_000);
    expect(await run('a', async () => 3)).toBe(3);
    expect(runs).toEqual(['a', 'a']);
  });

  it('keeps keys apart', async () => {
    const { runs, run } = setup();
    expect(await Promise.all([run('a', async () => 1), run('b', async () => 2), run('a', async () => 3)])).toEqual([1, 2, 1]);
    expect(runs).toEqual(['a', 'b']);
  });

  it('shares a run only with callers of the same tag; another tag starts a run that replaces it', async () => {
    const { runs, run } = setup();
    expect(await run('a', async () => 1, 'x')).toBe(1);
    expect(await run('a', async () => 2, 'x')).toBe(1);
    expect(await run('a', async () => 3, 'y')).toBe(3);
    expect(await run('a', async () => 4, 'x')).toBe(4);
    expect(runs).toEqual(['a', 'a', 'a']);
  });
});
