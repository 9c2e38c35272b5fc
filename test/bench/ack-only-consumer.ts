// The NATS client's floor for the ingest bench: a process that only consumes a partition's
// messages and acks each, as the worker does (same client, same consume options), and does
// nothing else with them. Run by ingest.bench.ts as
//   node --import tsx ack-only-consumer.ts <stream> <consumer> <messages> <batch size>
// It prints one JSON line, {"cpuMs": …, "ms": …}, when it has acked them all.
import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats } from '../../worker-ingest/src/nats.ts';
import { testNatsServer } from '../support/env.ts';

const [stream, consumer, count, batchSize] = process.argv.slice(2);
const nc = await connectNats(testNatsServer(), 'goods-ack-only-bench');
const js = (await jetstreamManager(nc)).jetstream();
const messages = await (await js.consumers.get(stream!, consumer!)).consume({ max_messages: Number(batchSize), expires: 5_000 });
let acked = 0;
let cpuAtFirst: NodeJS.CpuUsage | undefined;
let startedAt = 0;
for await (const msg of messages) {
  if (!cpuAtFirst) {
    cpuAtFirst = process.cpuUsage();
    startedAt = performance.now();
  }
  msg.ack();
  if (++acked >= Number(count)) break;
}
await nc.flush();
const cpu = process.cpuUsage(cpuAtFirst);
console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, ms: performance.now() - startedAt }));
await nc.close();
