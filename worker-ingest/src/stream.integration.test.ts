// The stream's shape, as the worker makes it or brings an older one up to date.
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLog } from '../../shared/log.ts';
import { type Backends, setUpBackends } from '../../test/support/worker/backends.ts';
import { ensureStream, type StreamSettings } from './nats.ts';

let b: Backends;
const logs: Array<Record<string, unknown>> = [];
const log = createLog({}, (line) => logs.push(JSON.parse(line)));

beforeAll(async () => {
  b = await setUpBackends();
});
afterAll(async () => {
  await b.close();
});

const settings = (): StreamSettings => ({
  name: b.config.stream,
  subject: b.config.subject,
  maxBytes: 64 * 1024,
  duplicateWindowMs: 5_000,
});

describe('the stream', () => {
  it('is made a bounded work queue: acknowledged messages leave, a full stream refuses, nothing expires', async () => {
    await ensureStream(b.jsm, settings(), log);
    const { config } = await b.jsm.streams.info(b.config.stream);
    expect(config).toMatchObject({
      retention: RetentionPolicy.Workqueue,
      discard: DiscardPolicy.New,
      max_bytes: 64 * 1024,
      max_age: 0,
      duplicate_window: nanos(5_000),
    });

    const js = b.jsm.jetstream();
    const body = 'x'.repeat(1000);
    let stored = 0;
    let refused: unknown;
    for (let i = 0; i < 200 && !refused; i++) {
      try {
        await js.publish(`${b.config.subject}.1`, body, { msgID: `m-${i}` });
        stored++;
      } catch (error) {
        refused = error;
      }
    }
    expect(String(refused)).toMatch(/maximum bytes exceeded/);
    const state = (await b.jsm.streams.info(b.config.stream)).state;
    expect(state.bytes).toBeLessThanOrEqual(64 * 1024);
    // NATS 2.9's file store acknowledges some publishes past the limit and drops older messages
    // to make room (nats-server#4771, fixed in 2.10): it may hold fewer than it acknowledged. The
    // relay covers it, as it covers any copy that leaves the stream before goods_log has it.
    expect(state.messages).toBeGreaterThan(0);
    expect(state.messages).toBeLessThanOrEqual(stored);
  });

  it("brings an older release's stream up to date: limits retention is recreated, other limits updated, each logged", async () => {
    await b.jsm.streams.delete(b.config.stream);
    await b.jsm.streams.add({
      name: b.config.stream,
      subjects: [`${b.config.subject}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: nanos(7 * 24 * 3600_000),
    });
    await ensureStream(b.jsm, settings(), log);
    expect((await b.jsm.streams.info(b.config.stream)).config).toMatchObject({ retention: RetentionPolicy.Workqueue, max_age: 0 });
    expect(logs.find((l) => l.msg === 'stream_recreated')).toMatchObject({
      retention: [RetentionPolicy.Limits, RetentionPolicy.Workqueue],
    });

    await ensureStream(b.jsm, { ...settings(), maxBytes: 128 * 1024 }, log);
    expect((await b.jsm.streams.info(b.config.stream)).config.max_bytes).toBe(128 * 1024);
    expect(logs.find((l) => l.msg === 'stream_updated')).toMatchObject({ changed: { max_bytes: [64 * 1024, 128 * 1024] } });

    const before = logs.length;
    await ensureStream(b.jsm, { ...settings(), maxBytes: 128 * 1024 }, log);
    expect(logs.length).toBe(before); // nothing to change, nothing said
  });
});
