/**
 * The ClickHouse replicas the worker may write through, used one at a time: the current one until
 * a request to it fails, then the next in the list (round the list), so that the writer's retry
 * runs on another replica. One server is a list of one.
 */
export interface Replicas<C> {
  /** The replica to use now. */
  current(): C;
  /** `client` failed a request: later calls to current() move on, unless another caller moved already. */
  failed(client: C): void;
  all(): readonly C[];
}

export function createReplicas<C>(clients: readonly C[], onMove?: (from: number, to: number) => void): Replicas<C> {
  if (clients.length === 0) throw new Error('no ClickHouse replica configured');
  let index = 0;
  return {
    current: () => clients[index]!,
    failed(client) {
      if (clients[index] !== client || clients.length === 1) return;
      const from = index;
      index = (index + 1) % clients.length;
      onMove?.(from, index);
    },
    all: () => clients,
  };
}

/** Runs `work` on the current replica; a failure marks that replica failed before it is rethrown. */
export async function onReplica<C, T>(replicas: Replicas<C>, work: (client: C) => Promise<T>): Promise<T> {
  const client = replicas.current();
  try {
    return await work(client);
  } catch (error) {
    replicas.failed(client);
    throw error;
  }
}
