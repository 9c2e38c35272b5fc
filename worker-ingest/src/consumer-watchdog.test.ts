import type { JetStreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { consumerStalled } from './consumer-watchdog.ts';

const settings = { stream: 'S', consumer: 'c', ackWaitMs: 5_000 };
const now = Date.parse('2026-12-03T20:00:00Z');

/** A manager whose consumer info says what the test needs. */
function jsm(info: { pending: number; ackPending: number; lastActive: string; stored?: number[] }): JetStreamManager {
  const consumerInfo = {
    num_pending: info.pending,
    num_ack_pending: info.ackPending,
    delivered: { last_active: info.lastActive, stream_seq: 120 },
    ack_floor: { stream_seq: 100 },
    created: '2026-12-03T19:00:00Z',
  };
  const stored = new Set(info.stored ?? []);
  return {
    consumers: { info: async () => consumerInfo },
    streams: { getMessage: async (_: string, { seq }: { seq: number }) => (stored.has(seq) ? {} : null) },
  } as unknown as JetStreamManager;
}

describe('the consumer watchdog', () => {
  it('calls a consumer stalled that delivered nothing for two ack waits while its unacked messages are gone', async () => {
    expect(await consumerStalled(jsm({ pending: 3, ackPending: 656, lastActive: '2026-12-03T19:59:49Z' }), settings, 0, now)).toBe(true);
    expect(await consumerStalled(jsm({ pending: 7, ackPending: 0, lastActive: '2026-12-03T19:59:00Z' }), settings, 0, now)).toBe(true);
  });

  it('leaves alone a consumer whose unacked messages are still in the stream (another worker holds them)', async () => {
    const held = jsm({ pending: 3, ackPending: 20, lastActive: '2026-12-03T19:59:00Z', stored: [115] });
    expect(await consumerStalled(held, settings, 0, now)).toBe(false);
  });

  it('leaves alone a consumer that delivered lately, has nothing, or whose messages this worker holds', async () => {
    expect(await consumerStalled(jsm({ pending: 3, ackPending: 0, lastActive: '2026-12-03T19:59:51Z' }), settings, 0, now)).toBe(false);
    expect(await consumerStalled(jsm({ pending: 0, ackPending: 0, lastActive: '2026-12-03T19:00:00Z' }), settings, 0, now)).toBe(false);
    // Held messages are being written, or wait for ClickHouse: not a stall.
    expect(await consumerStalled(jsm({ pending: 9, ackPending: 100, lastActive: '2026-12-03T19:00:00Z' }), settings, 100, now)).toBe(false);
  });
});
