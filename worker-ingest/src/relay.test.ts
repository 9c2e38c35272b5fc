import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLog } from '../../shared/log.ts';
import { createMetrics } from './metrics.ts';
import type { OutboxRow } from './outbox.ts';
import { createRelayPublisher, type RelayStream } from './relay.ts';
import { eventSubject } from '../../shared/partitions.ts';

const log = createLog({}, () => undefined);

function row(streamSeq: number | null): OutboxRow {
  const eventId = randomUUID();
  const payload = {
    eventId,
    id: 1,
    projectId: 1,
    name: 'n',
    description: '',
    priority: 1,
    removed: false,
    eventTime: new Date().toISOString(),
  };
  return { event_id: eventId, payload, stream_seq: streamSeq === null ? null : String(streamSeq) };
}

/** A stream that stores at the next sequence, holds what `held` says, and can refuse every publish. */
function fakeStream(held: Map<number, string>, refuse = false) {
  const published: string[] = [];
  const subjects: string[] = [];
  let next = 100;
  const stream: RelayStream = {
    async publish(subject, _data, msgID) {
      if (refuse) throw new Error('maximum bytes exceeded');
      published.push(msgID);
      subjects.push(subject);
      held.set(next, msgID);
      return { seq: next++, duplicate: false };
    },
    holds: async (seq, msgID) => held.get(seq) === msgID,
  };
  return { stream, published, subjects };
}

const subjectOf = (projectId: number) => eventSubject('goods.events', projectId, 2);

describe('the relay', () => {
  it('publishes a row the stream never held, and records where it went', async () => {
    const metrics = createMetrics();
    const { stream, published, subjects } = fakeStream(new Map());
    const waiting = row(null);
    const result = await createRelayPublisher(subjectOf, stream, metrics, log)([waiting]);
    expect(result).toEqual([{ id: waiting.event_id, seq: 100 }]);
    expect(published).toEqual([waiting.event_id]);
    // Project 1 of 2 partitions: partition 1, as the edge would publish it.
    expect(subjects).toEqual(['goods.events.1.1']);
    expect(metrics).toMatchObject({ relayPublished: 1, relayCopies: 0 });
  });

  it('leaves alone a row whose copy is still in the stream, however often it comes round', async () => {
    const waiting = row(7);
    const { stream, published } = fakeStream(new Map([[7, waiting.event_id]]));
    const relay = createRelayPublisher(subjectOf, stream, createMetrics(), log);
    for (let i = 0; i < 5; i++) expect(await relay([waiting])).toEqual([{ id: waiting.event_id, seq: 7 }]);
    expect(published).toEqual([]);
  });

  it('publishes again once the copy is gone, and counts the further copy', async () => {
    const metrics = createMetrics();
    const gone = row(7);
    const replaced = row(8);
    // Sequence 7 was taken; 8 now holds another event (a recreated stream starts again at 1).
    const { stream, published } = fakeStream(new Map([[8, randomUUID()]]));
    await createRelayPublisher(subjectOf, stream, metrics, log)([gone, replaced]);
    expect(published.sort()).toEqual([gone.event_id, replaced.event_id].sort());
    expect(metrics).toMatchObject({ relayPublished: 2, relayCopies: 2 });
  });

  it('reports a refused publish as failed, for the outbox to keep', async () => {
    const metrics = createMetrics();
    const { stream } = fakeStream(new Map(), true);
    const waiting = row(null);
    expect(await createRelayPublisher(subjectOf, stream, metrics, log)([waiting])).toEqual([{ id: waiting.event_id, failed: true }]);
    expect(metrics.relayFailed).toBe(1);
  });
});
