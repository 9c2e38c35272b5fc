// The edge's publishes (functions/audit/publish-events.ts, the Worker's own code) while a NATS
// node is dead: each request connects to the first node that takes it and the cluster routes the
// message to the stream, so every publish lands once.
import { randomUUID } from 'node:crypto';
import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { natsTarget, publishEvents } from '../../functions/audit/publish-events.ts';
import type { AuditMessage } from '../../shared/event.ts';
import { NATS_NODES, streamLeader } from '../support/cluster.ts';
import { testEnv, testSubject } from '../support/env.ts';
import { whileKilled } from '../support/services.ts';
import { suiteJetStream } from '../support/stream.ts';
import { waitFor } from '../support/wait.ts';

const tag = `edge${randomUUID().slice(0, 6)}`;
const stream = `CLUSTER_EDGE_${tag}`;
const subject = testSubject(tag);
let suite: Awaited<ReturnType<typeof suiteJetStream>>;

beforeAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  suite = await suiteJetStream();
  // Retried for a while: the cluster may still be settling after the test before restarted a node.
  await waitFor(
    'the cluster placing a stream of three replicas',
    () =>
      suite.jsm.streams.add({
        name: stream,
        subjects: [`${subject}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        // Small: JetStream reserves a stream's max_bytes on each of its nodes.
        max_bytes: 1024 * 1024,
        num_replicas: 3,
      }),
    30_000,
    500,
  );
});
afterAll(async () => {
  await suite.jsm.streams.delete(stream).catch(() => undefined);
  await suite.nc.close();
});

describe('the edge publishing with a NATS node down', { timeout: 120_000 }, () => {
  it('lands every publish once, through the nodes still up', async () => {
    const target = natsTarget({
      NATS_WS_URL: testEnv.NATS_WS_URL!,
      NATS_SUBJECT: subject,
      INGEST_PARTITIONS: '1',
      NATS_USER: testEnv.NATS_USER!,
      NATS_PASSWORD: testEnv.NATS_PASSWORD!,
    });
    expect(target.url.split(',')).toHaveLength(NATS_NODES.length);
    const leader = await streamLeader(suite.jsm, stream);
    const ids: string[] = [];
    await whileKilled(`nats${leader}`, async () => {
      await waitFor('a new leader of the test stream', () => streamLeader(suite.jsm, stream), 30_000, 200);
      for (let i = 0; i < 30; i++) {
        const eventId = randomUUID();
        ids.push(eventId);
        // Every request opens its own connection, from a random node: some start at the dead one.
        await publishEvents(target, [{ eventId, projectId: 1 } as AuditMessage]);
      }
      const held = await waitFor(
        'the publishes in the stream',
        async () => {
          const { state } = await suite.jsm.streams.info(stream);
          return state.messages >= ids.length ? state.messages : undefined;
        },
        10_000,
        100,
      );
      expect(held).toBe(ids.length);
    });
  });
});
