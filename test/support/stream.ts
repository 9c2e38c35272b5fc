import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectNats } from '../../worker-ingest/src/nats.ts';
import { testEnv, testNatsServer } from './env.ts';

/** The suite's stream as the NATS monitoring endpoint (`/jsz`) reports it: messages and bytes it holds. */
export async function streamOnMonitor(stream = testEnv.NATS_STREAM!): Promise<{ messages: number; bytes: number }> {
  const url = `http://127.0.0.1:${testEnv.NATS_MONITOR_PORT}/jsz?streams=true`;
  const jsz = (await (await fetch(url)).json()) as {
    account_details?: { stream_detail?: { name: string; state: { messages: number; bytes: number } }[] }[];
  };
  const found = jsz.account_details?.flatMap((a) => a.stream_detail ?? []).find((s) => s.name === stream);
  if (!found) throw new Error(`/jsz does not list stream ${stream}`);
  return { messages: found.state.messages, bytes: found.state.bytes };
}

/** A JetStream manager on its own connection to the suite's NATS. */
export async function suiteJetStream(): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  const nc = await connectNats(testNatsServer(), 'goods-tests');
  return { nc, jsm: await jetstreamManager(nc) };
}

/** How many copies of each message id the stream holds now (read message by message). */
export async function copiesInStream(jsm: JetStreamManager, stream: string): Promise<Map<string, number>> {
  const { state } = await jsm.streams.info(stream);
  const copies = new Map<string, number>();
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const id = (await jsm.streams.getMessage(stream, { seq }))?.header.get('Nats-Msg-Id');
    if (id) copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  return copies;
}
