// A loopback TCP proxy that tests use to take a service "down" for the worker (and only for it),
// or to swallow ClickHouse's answers once a chosen request went through.
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  port: number;
  /** While down, open connections are cut and new ones are closed at once. */
  setDown(down: boolean): void;
  /**
   * From the first client chunk containing `marker` on, that connection still forwards requests
   * but never delivers the server's answers: the server does the work, the client never hears.
   */
  swallowAnswersAfter(marker: string | undefined): void;
  /** Whether a chunk containing the marker has passed. */
  readonly swallowed: boolean;
  /**
   * The next request containing `marker` reaches the server only in part at first: its headers and
   * a few bytes of body, the rest `holdMs` later, even if the client gave up meanwhile. So the
   * server is still running it when the client's timeout fires, and commits it after that.
   */
  holdRequestTail(marker: string, holdMs: number): void;
  /** How many requests were held so. */
  readonly held: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let marker: string | undefined;
  let swallowed = false;
  let hold: { marker: string; ms: number } | undefined;
  let held = 0;

  const server = createServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(targetPort, targetHost);
    let mute = false;
    // While a request's tail is held back, the client's leaving must not cut the server off.
    let holding: Buffer[] | undefined;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        if (!holding) upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (marker && chunk.includes(marker)) {
        mute = true;
        swallowed = true;
      }
      if (holding) {
        holding.push(chunk);
        return;
      }
      const bodyStart = chunk.indexOf('\r\n\r\n') + 4;
      if (hold && chunk.includes(hold.marker) && bodyStart > 3) {
        const ms = hold.ms;
        hold = undefined;
        held++;
        upstream.write(chunk.subarray(0, bodyStart + 4));
        holding = [chunk.subarray(bodyStart + 4)];
        setTimeout(() => {
          for (const part of holding ?? []) upstream.write(part);
          holding = undefined;
          if (client.destroyed) setTimeout(() => upstream.destroy(), 2_000);
        }, ms);
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!mute) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    setDown(value) {
      down = value;
      if (down) for (const s of sockets) s.destroy();
    },
    swallowAnswersAfter(value) {
      marker = value;
      swallowed = false;
    },
    get swallowed() {
      return swallowed;
    },
    holdRequestTail(value, ms) {
      hold = { marker: value, ms };
    },
    get held() {
      return held;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
