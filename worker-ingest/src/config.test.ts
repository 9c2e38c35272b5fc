import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const required = {
  NATS_URL: 'nats://127.0.0.1:24220',
  NATS_STREAM: 'GOODS_EVENTS',
  NATS_SUBJECT: 'goods.events',
  CLICKHOUSE_URL: 'http://127.0.0.1:18123',
  CLICKHOUSE_DATABASE: 'goods',
  DATABASE_URL: 'postgres://goods:goods@127.0.0.1:25432/goods',
};

describe('loadConfig', () => {
  it('fills the defaults', () => {
    expect(loadConfig({ ...required, CLICKHOUSE_PASSWORD: '', PG_WS_PROXY: '' })).toEqual({
      natsUrl: ['nats://127.0.0.1:24220'],
      stream: 'GOODS_EVENTS',
      subject: 'goods.events',
      streamMaxBytes: 1024 ** 3,
      duplicateWindowMs: 120_000,
      clickhouse: { url: 'http://127.0.0.1:18123', username: 'default', password: '', database: 'goods', requestTimeoutMs: 30_000 },
      pipeline: 'goods',
      databaseUrl: 'postgres://goods:goods@127.0.0.1:25432/goods',
      pgWsProxy: undefined,
      batchSize: 5000,
      batchMs: 250,
      consumer: 'goods-ingest',
      ackWaitMs: 30_000,
      relayAfterMs: 3000,
      relayAgainAfterMs: 30_000,
      httpPort: 0,
    });
  });

  it('reads every setting', () => {
    const config = loadConfig({
      ...required,
      NATS_URL: 'nats://a:1,nats://b:2',
      PG_WS_PROXY: '127.0.0.1:25433',
      INGEST_BATCH_SIZE: '50',
      INGEST_BATCH_MS: '400',
      INGEST_CONSUMER: 'other',
      INGEST_ACK_WAIT_MS: '5000',
      RELAY_AFTER_MS: '0',
      RELAY_AGAIN_AFTER_MS: '2000',
      NATS_STREAM_MAX_BYTES: '1048576',
      NATS_DUPLICATE_WINDOW_MS: '1000',
      INGEST_HTTP_PORT: '9100',
    });
    expect(config).toMatchObject({
      natsUrl: ['nats://a:1', 'nats://b:2'],
      pgWsProxy: '127.0.0.1:25433',
      batchSize: 50,
      batchMs: 400,
      consumer: 'other',
      ackWaitMs: 5000,
      relayAfterMs: 0,
      relayAgainAfterMs: 2000,
      streamMaxBytes: 1_048_576,
      duplicateWindowMs: 1000,
      httpPort: 9100,
    });
  });

  it('names every bad or missing variable in one error', () => {
    const attempt = () =>
      loadConfig({
        ...required,
        NATS_URL: 'http://x',
        NATS_SUBJECT: 'goods.>',
        INGEST_BATCH_SIZE: '0',
        INGEST_HTTP_PORT: 'x',
        CLICKHOUSE_DATABASE: undefined,
      });
    expect(attempt).toThrow(/invalid ingest worker configuration/);
    const message = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const name of ['NATS_URL', 'NATS_SUBJECT', 'INGEST_BATCH_SIZE', 'INGEST_HTTP_PORT', 'CLICKHOUSE_DATABASE']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('NATS_STREAM');
  });
});
