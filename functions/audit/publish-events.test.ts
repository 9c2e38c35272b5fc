import { describe, expect, it } from 'vitest';
import { natsTarget, pingNats } from './publish-events.ts';

const bindings = { NATS_WS_URL: 'ws://127.0.0.1:1', NATS_SUBJECT: 'goods.events', NATS_USER: 'edge', NATS_PASSWORD: 'secret' };

describe('natsTarget', () => {
  it('takes the partition count from INGEST_PARTITIONS, 1 when unset', () => {
    expect(natsTarget({ ...bindings, INGEST_PARTITIONS: '4' })).toMatchObject({ partitions: 4, unset: [] });
    expect(natsTarget({ ...bindings, INGEST_PARTITIONS: '' })).toMatchObject({ partitions: 1, unset: [] });
  });

  it('refuses to publish with a count the workers could not have, naming the binding and its rule', async () => {
    for (const bad of ['0', '65', 'two']) {
      const target = natsTarget({ ...bindings, INGEST_PARTITIONS: bad });
      await expect(pingNats(target)).rejects.toThrow('INGEST_PARTITIONS must be a whole number from 1 to 64');
    }
  });
});
