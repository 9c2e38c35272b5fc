type Data = ArrayBuffer | ArrayBufferView | string;

/**
 * A WebSocket for the Neon driver inside workerd, opened with `fetch(..., {Upgrade: websocket})`.
 * workerd's own `new WebSocket(url)` reports a refused connection or a non-101 answer as an
 * uncaught exception, never as an `error` event, so the driver would wait forever and the
 * runtime would cancel the request with its HTML error page. Here every failure becomes
 * `error` + `close` events, which the driver turns into a rejected query. Like the native
 * socket, it accepts writes before it is open (the driver pipelines its start-up) and sends
 * them once it is.
 */
export class FetchWebSocket extends EventTarget {
  binaryType = 'arraybuffer';
  private socket: WebSocket | undefined;
  private queued: Data[] | undefined = [];
  private closed = false;

  constructor(url: string) {
    super();
    void this.open(url.replace(/^ws/, 'http'));
  }

  send(data: Data): void {
    if (this.queued) this.queued.push(data);
    else this.socket?.send(data);
  }

  close(code?: number, reason?: string): void {
    this.closed = true;
    this.socket?.close(code, reason);
  }

  private async open(url: string): Promise<void> {
    let socket: WebSocket;
    try {
      const response = await fetch(url, { headers: { Upgrade: 'websocket' } });
      // workerd hands the upgraded socket over on the response.
      const upgraded = (response as Response & { webSocket?: WebSocket | null }).webSocket;
      if (!upgraded) throw new Error(`database proxy refused the WebSocket: HTTP ${response.status}`);
      socket = upgraded;
      socket.binaryType = 'arraybuffer';
      (socket as WebSocket & { accept(): void }).accept();
    } catch (error) {
      return this.fail(error instanceof Error ? error.message : String(error));
    }
    socket.addEventListener('message', (event: MessageEvent) => this.emit('message', { data: event.data }));
    socket.addEventListener('close', () => {
      this.closed = true;
      this.emit('close');
    });
    // After a close (ours or the peer's), a lost connection is the expected end, not a failure.
    socket.addEventListener('error', (event: Event) => {
      if (!this.closed) this.fail(`database WebSocket failed: ${(event as ErrorEvent).message}`);
    });
    this.socket = socket;
    if (this.closed) return socket.close();
    for (const data of this.queued ?? []) socket.send(data);
    this.queued = undefined;
    this.emit('open');
  }

  private fail(message: string): void {
    // The driver passes the event on as the error: let it read like one.
    this.emit('error', { message });
    this.emit('close');
  }

  private emit(type: string, fields: Record<string, unknown> = {}): void {
    this.dispatchEvent(Object.assign(new Event(type), fields));
  }
}
