// A Chrome DevTools protocol session with a V8 isolate's inspector: a workerd Worker's or a Node
// process's (started with --inspect).
import WebSocket from 'ws';

export interface Inspector {
  call<T>(method: string): Promise<T>;
  close(): void;
}

export async function connectInspector(port: number): Promise<Inspector> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
  });
  return {
    call: <T>(method: string) =>
      new Promise<T>((resolve) => {
        const id = ++nextId;
        waiting.set(id, (result) => {
          waiting.delete(id);
          resolve(result as T);
        });
        ws.send(JSON.stringify({ id, method }));
      }),
    close: () => ws.close(),
  };
}

export interface HeapUsage {
  usedSize: number;
  backingStorageSize?: number;
}

/** The heap that is still reachable: used after a full garbage collection, in MiB. */
export async function liveHeapMiB(inspector: Inspector): Promise<number> {
  await inspector.call('HeapProfiler.collectGarbage');
  const usage = await inspector.call<HeapUsage>('Runtime.getHeapUsage');
  return usage.usedSize / 2 ** 20;
}
