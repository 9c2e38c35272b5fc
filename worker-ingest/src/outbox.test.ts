import { describe, expect, it } from 'vitest';
import { drainOutbox, RELAY_LIMIT } from './outbox.ts';

describe('draining the outbox', () => {
  it('relays batch after batch while they come back full, then stops', async () => {
    const batches = [RELAY_LIMIT, RELAY_LIMIT, 17, RELAY_LIMIT];
    let calls = 0;
    const offered = await drainOutbox(async () => batches[calls++]!);
    expect(calls).toBe(3);
    expect(offered).toBe(2 * RELAY_LIMIT + 17);
  });

  it('stops after the current batch once told to', async () => {
    let calls = 0;
    const offered = await drainOutbox(
      async () => {
        calls++;
        return RELAY_LIMIT;
      },
      () => calls < 2,
    );
    expect(calls).toBe(2);
    expect(offered).toBe(2 * RELAY_LIMIT);
  });
});
