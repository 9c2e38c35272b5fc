import { describe, expect, it } from 'vitest';
import { drainOutbox, RELAY_LIMIT } from './outbox.ts';

const full = { offered: RELAY_LIMIT, failed: 0 };

describe('draining the outbox', () => {
  it('relays batch after batch while they come back full, then stops', async () => {
    const batches = [full, full, { offered: 17, failed: 0 }, full];
    let calls = 0;
    const total = await drainOutbox(async () => batches[calls++]!);
    expect(calls).toBe(3);
    expect(total).toEqual({ offered: 2 * RELAY_LIMIT + 17, failed: 0 });
  });

  it('stops after the current batch once told to', async () => {
    let calls = 0;
    const total = await drainOutbox(
      async () => {
        calls++;
        return full;
      },
      () => calls < 2,
    );
    expect(calls).toBe(2);
    expect(total.offered).toBe(2 * RELAY_LIMIT);
  });

  it('ends the pass at a batch with failures: the failed rows would only come back at once', async () => {
    const batches = [full, { offered: RELAY_LIMIT, failed: 3 }, full];
    let calls = 0;
    const total = await drainOutbox(async () => batches[calls++]!);
    expect(calls).toBe(2);
    expect(total).toEqual({ offered: 2 * RELAY_LIMIT, failed: 3 });
  });
});
