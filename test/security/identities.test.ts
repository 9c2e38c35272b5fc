// The identities of the local NATS and ClickHouse, as in production: nothing anonymous, the
// edge's NATS user publishes events and nothing else, its ClickHouse user only reads.
import { createClient } from '@clickhouse/client-web';
import { errors, type NatsConnection, wsconnect } from '@nats-io/nats-core';

type PermissionViolation = InstanceType<typeof errors.PermissionViolationError>;
import { connect } from '@nats-io/transport-node';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { clickHouseAuditLog, clickHouseSettings, pingClickHouse } from '../../functions/audit/clickhouse-audit-log.ts';
import { chQuery } from '../support/clickhouse.ts';
import { testEnv } from '../support/env.ts';

// Node 20 has no WebSocket global; wsconnect needs one.
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;

const tcp = testEnv.NATS_URL!;
const ws = testEnv.NATS_WS_URL!;
const edge = { user: testEnv.NATS_USER!, pass: testEnv.NATS_PASSWORD! };
const worker = { user: testEnv.INGEST_NATS_USER!, pass: testEnv.INGEST_NATS_PASSWORD! };
const subject = testEnv.NATS_SUBJECT!;

const open: NatsConnection[] = [];
afterAll(async () => {
  await Promise.all(open.map((nc) => nc.close()));
});

async function edgeConnection(): Promise<NatsConnection> {
  const nc = await wsconnect({ servers: ws, ...edge, reconnect: false });
  open.push(nc);
  return nc;
}

/**
 * The permission violations the server reports after `act`: they come asynchronously, as the
 * connection's status, and a flush() succeeds regardless, so this waits for them a little.
 */
async function violations(nc: NatsConnection, act: () => void, expected: number): Promise<PermissionViolation[]> {
  const seen: PermissionViolation[] = [];
  const watching = (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'error' && s.error instanceof errors.PermissionViolationError) seen.push(s.error);
    }
  })();
  act();
  await nc.flush();
  const deadline = Date.now() + 2_000;
  while (seen.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // a violation beyond those expected would show up in this grace period
  await new Promise((r) => setTimeout(r, 200));
  void watching;
  return seen;
}

describe('NATS refuses anonymous clients', () => {
  it('on the TCP port', async () => {
    await expect(connect({ servers: tcp, reconnect: false, timeout: 3_000 })).rejects.toThrow(/authorization/i);
  });

  it('on the WebSocket port', async () => {
    await expect(wsconnect({ servers: ws, reconnect: false, timeout: 3_000 })).rejects.toThrow(/authorization/i);
  });

  it('and a wrong password, on either', async () => {
    await expect(connect({ servers: tcp, user: edge.user, pass: 'wrong', reconnect: false })).rejects.toThrow(/authorization/i);
    await expect(wsconnect({ servers: ws, user: worker.user, pass: 'wrong', reconnect: false })).rejects.toThrow(/authorization/i);
  });
});

describe("the edge's NATS user", () => {
  // That it may publish events is what every API write test relies on (test/audit/).
  it('cannot subscribe to anything, its own subject included', async () => {
    const nc = await edgeConnection();
    const found = await violations(
      nc,
      () => {
        nc.subscribe(`${subject}.>`);
        nc.subscribe('_INBOX.>');
        nc.subscribe('>');
      },
      3,
    );
    expect(found.map((e) => [e.operation, e.subject])).toEqual([
      ['subscription', `${subject}.>`],
      ['subscription', '_INBOX.>'],
      ['subscription', '>'],
    ]);
  });

  it('cannot publish outside the event subjects: not to the JetStream API, inboxes or other subjects', async () => {
    const nc = await edgeConnection();
    const outside = ['$JS.API.STREAM.NAMES', `$JS.API.STREAM.DELETE.${testEnv.NATS_STREAM}`, '_INBOX.x', 'goods.audit.1', 'other'];
    const found = await violations(
      nc,
      () => {
        for (const s of outside) nc.publish(s, '{}');
      },
      outside.length,
    );
    expect(found.map((e) => [e.operation, e.subject])).toEqual(outside.map((s) => ['publish', s]));
  });
});

describe("the worker's NATS user", () => {
  it('cannot listen in on the event subjects outside its consumer', async () => {
    const nc = await connect({ servers: tcp, ...worker, reconnect: false });
    open.push(nc);
    const found = await violations(nc, () => nc.subscribe(`${subject}.>`), 1);
    expect(found.map((e) => [e.operation, e.subject])).toEqual([['subscription', `${subject}.>`]]);
  });
});

describe("the edge's ClickHouse user", () => {
  const settings = clickHouseSettings({
    CLICKHOUSE_URL: testEnv.CLICKHOUSE_URL!,
    CLICKHOUSE_USER: testEnv.CLICKHOUSE_USER!,
    CLICKHOUSE_PASSWORD: testEnv.CLICKHOUSE_PASSWORD!,
    CLICKHOUSE_DATABASE: testEnv.CLICKHOUSE_DATABASE!,
  });
  const reader = createClient({ url: settings.url, username: settings.username, password: settings.password, database: settings.database });
  afterAll(() => reader.close());

  it('is not a writer or default', () => {
    expect(settings.username).not.toBe(testEnv.CLICKHOUSE_WRITER_USER);
    expect(settings.username).not.toBe('default');
  });

  it("reads the audit log through the edge's own reader, with the settings its client sends", async () => {
    await pingClickHouse(settings);
    const log = clickHouseAuditLog(settings);
    await expect(log.history({ id: 2_147_483_000, projectId: 1 }, { limit: 10, offset: 1 })).resolves.toMatchObject({
      meta: { total: 0 },
      history: [],
    });
    await expect(log.projectStats(1, { from: '2026-01-01', to: '2026-01-30' })).resolves.toMatchObject({ projectId: 1 });
  });

  it.each([
    ['INSERT', "INSERT INTO goods_log (Id, ProjectId, Name) VALUES (1, 1, 'intruder')"],
    ['ALTER', 'ALTER TABLE goods_log ADD COLUMN Intruder UInt8'],
    ['DROP', 'DROP TABLE goods_log'],
    ['TRUNCATE', 'TRUNCATE TABLE goods_log'],
    ['CREATE', 'CREATE TABLE intruder (x UInt8) ENGINE = Memory'],
    ['SET readonly', 'SET readonly = 0'],
  ])('cannot %s', async (_, query) => {
    await expect(reader.command({ query })).rejects.toThrow(/readonly/i);
  });

  it('cannot lift readonly through a per-query setting', async () => {
    await expect(
      reader.command({ query: 'DROP TABLE goods_log', clickhouse_settings: { readonly: '0' } as Record<string, string> }),
    ).rejects.toThrow(/readonly/i);
  });

  it('left goods_log as it was', async () => {
    const columns = await chQuery<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = '${testEnv.CLICKHOUSE_DATABASE}' AND table = 'goods_log' AND name = 'Intruder'`,
    );
    expect(columns).toEqual([]);
    expect(await chQuery(`SELECT 1 FROM goods_log WHERE Name = 'intruder' LIMIT 1`)).toEqual([]);
  });
});

describe('ClickHouse refuses an anonymous client', () => {
  it('as default without a password', async () => {
    const anonymous = createClient({ url: testEnv.CLICKHOUSE_URL!, database: testEnv.CLICKHOUSE_DATABASE! });
    try {
      await expect(anonymous.query({ query: 'SELECT 1', format: 'JSONEachRow' })).rejects.toThrow(/password|authentication/i);
    } finally {
      await anonymous.close();
    }
  });
});
