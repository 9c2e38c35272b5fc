import { describe, expect, it } from 'vitest';
import { sleep, withDeadline } from './time.ts';

describe('withDeadline', () => {
  it('passes on what settles in time', async () => {
    await expect(
      withDeadline(
        sleep(5).then(() => 'done'),
        1_000,
        'x',
      ),
    ).resolves.toBe('done');
    await expect(withDeadline(Promise.reject(new Error('own')), 1_000, 'x')).rejects.toThrow('own');
  });

  it('rejects, naming the work, once the time is up', async () => {
    const started = Date.now();
    await expect(withDeadline(new Promise(() => {}), 50, 'Postgres')).rejects.toThrow('Postgres: no answer within 50 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
