// The Worker's memory, read from its V8 isolate through the inspector (Chrome DevTools protocol):
// the JavaScript heap plus the ArrayBuffers' backing stores, which is what a Worker's 128 MB limit
// counts. The process's RSS would also count workerd itself and garbage the allocator keeps.
import { connectInspector, type HeapUsage } from '../support/inspector.ts';

export interface WorkerHeap {
  /** Samples every `everyMs` until `stop()`; resolves the peak over the first sample, in MB. */
  watch(everyMs?: number): Promise<{ stop(): Promise<number> }>;
  close(): void;
}

export async function connectWorkerHeap(inspectorPort: number): Promise<WorkerHeap> {
  const inspector = await connectInspector(inspectorPort);
  const call = inspector.call;
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
    close: inspector.close,
  };
}
