// The Worker's memory, read from its V8 isolate through the inspector (Chrome DevTools protocol):
// the JavaScript heap plus the ArrayBuffers' backing stores, which is what a Worker's 128 MB limit
// counts. The process's RSS would also count workerd itself and garbage the allocator keeps.
import WebSocket from 'ws';

export interface WorkerHeap {
  /** Samples every `everyMs` until `stop()`; resolves the peak over the first sample, in MB. */
  watch(everyMs?: number): Promise<{ stop(): Promise<number> }>;
  close(): void;
}

interface HeapUsage {
  usedSize: number;
  backingStorageSize?: number;
}

export async function connectWorkerHeap(inspectorPort: number): Promise<WorkerHeap> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
  });
  const call = <T>(method: string): Promise<T> =>
    new Promise((resolve) => {
      const id = ++nextId;
      waiting.set(id, (result) => {
        waiting.delete(id);
        resolve(result as T);
      });
      ws.send(JSON.stringify({ id, method }));
    });
  const usedBytes = async () => {
    const usage = await call<HeapUsage>('Runtime.getHeapUsage');
    return usage.usedSize + (usage.backingStorageSize ?? 0);
  };
  return {
    async watch(everyMs = 20) {
      const start = await usedBytes();
      let peak = start;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, await usedBytes());
          await new Promise((resolve) => setTimeout(resolve, everyMs));
        }
      })();
      return {
        async stop() {
          sampling = false;
          await sampler;
          return (peak - start) / 2 ** 20;
        },
      };
    },
    close: () => ws.close(),
  };
}
