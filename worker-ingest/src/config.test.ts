import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const required = {
  NATS_URL: 'nats://127.0.0.1:24220',
  NATS_STREAM: 'GOODS_EVENTS',
  NATS_SUBJECT: 'goods.events',
  CLICKHOUSE_URL: 'http://127.0.0.1:18123',
  CLICKHOUSE_WRITER_USER: 'goods_writer',
  CLICKHOUSE_WRITER_PASSWORD: 'writer-password',
  CLICKHOUSE_DATABASE: 'goods',
  INGEST_NATS_USER: 'goods-ingest',
  INGEST_NATS_PASSWORD: 'ingest-password',
  DATABASE_URL: 'postgres://goods:goods@127.0.0.1:25432/goods',
};

describe('loadConfig', () => {
  it('fills the defaults', () => {
    expect(loadConfig({ ...required, CLICKHOUSE_PASSWORD: '', PG_WS_PROXY: '' })).toEqual({
      nats: { servers: ['nats://127.0.0.1:24220'], identity: { user: 'goods-ingest', pass: 'ingest-password' }, tls: undefined },
      stream: 'GOODS_EVENTS',
      subject: 'goods.events',
      streamMaxBytes: 1024 ** 3,
      duplicateWindowMs: 120_000,
      streamReplicas: 1,
      clickhouse: {
        url: 'http://127.0.0.1:18123',
        username: 'goods_writer',
        password: 'writer-password',
        database: 'goods',
        requestTimeoutMs: 30_000,
      },
      partitions: 1,
      workerId: expect.stringMatching(new RegExp(`-${process.pid}$`)),
      pipeline: 'goods',
      databaseUrl: 'postgres://goods:goods@127.0.0.1:25432/goods',
      pgWsProxy: undefined,
      batchSize: 5000,
      batchMs: 250,
      consumer: 'goods-ingest',
      ackWaitMs: 30_000,
      relayAfterMs: 3000,
      relayAgainAfterMs: 30_000,
      relayEveryMs: 1000,
      shutdownGraceMs: 8000,
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
      INGEST_PARTITIONS: '4',
      INGEST_WORKER_ID: 'ingest-a',
    });
    expect(config).toMatchObject({
      partitions: 4,
      workerId: 'ingest-a',
      nats: { servers: ['nats://a:1', 'nats://b:2'] },
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
        INGEST_PARTITIONS: '65',
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
    for (const name of ['NATS_URL', 'NATS_SUBJECT', 'INGEST_BATCH_SIZE', 'INGEST_PARTITIONS', 'INGEST_HTTP_PORT', 'CLICKHOUSE_DATABASE']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('NATS_STREAM');
  });

  it('never falls back to an identity: a missing credential is named', () => {
    const message = failure({
      ...required,
      CLICKHOUSE_WRITER_USER: undefined,
      CLICKHOUSE_WRITER_PASSWORD: '',
      INGEST_NATS_PASSWORD: undefined,
    });
    expect(message).toContain('CLICKHOUSE_WRITER_USER: is not set');
    expect(message).toContain('CLICKHOUSE_WRITER_PASSWORD: is not set');
    expect(message).toContain('INGEST_NATS_PASSWORD: is not set');
    // the edge's read-only identity is not the worker's
    expect(() => loadConfig({ ...required, CLICKHOUSE_WRITER_USER: undefined, CLICKHOUSE_USER: 'goods_reader' })).toThrow(
      /CLICKHOUSE_WRITER_USER: is not set/,
    );
  });

  it('takes a creds file instead of a user, and TLS with a CA for tls:// servers', () => {
    const creds = join(tmpdir(), `ingest-${process.pid}.creds`);
    writeFileSync(creds, 'SUAxxx');
    const config = loadConfig({
      ...required,
      INGEST_NATS_USER: undefined,
      INGEST_NATS_PASSWORD: undefined,
      INGEST_NATS_CREDS: creds,
      NATS_URL: 'tls://nats.example:4222',
      NATS_CA: creds,
    });
    expect(config.nats).toEqual({ servers: ['tls://nats.example:4222'], identity: { credsFile: creds }, tls: { caFile: creds } });
    expect(loadConfig({ ...required, NATS_URL: 'tls://nats.example:4222' }).nats.tls).toEqual({});
    expect(failure({ ...required, INGEST_NATS_CREDS: creds })).toMatch(/INGEST_NATS_CREDS: not together with INGEST_NATS_USER/);
    expect(failure({ ...required, NATS_CA: creds })).toMatch(/NATS_CA: needs tls:\/\/ servers/);
    expect(failure({ ...required, INGEST_NATS_USER: '', INGEST_NATS_PASSWORD: '', INGEST_NATS_CREDS: '/nonexistent/x.creds' })).toMatch(
      /INGEST_NATS_CREDS: is not a readable file/,
    );
  });

  it('never shows a secret in its error', () => {
    const message = failure({
      ...required,
      NATS_URL: 'http://goods-ingest:hunter2@nats',
      DATABASE_URL: 'mysql://goods:hunter2@db/goods',
      CLICKHOUSE_URL: 'ftp://w:hunter2@ch',
      INGEST_NATS_USER: undefined,
    });
    for (const name of ['NATS_URL', 'DATABASE_URL', 'CLICKHOUSE_URL', 'INGEST_NATS_USER']) expect(message).toContain(name);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('ingest-password');
    expect(message).not.toContain('writer-password');
  });
});

function failure(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}
