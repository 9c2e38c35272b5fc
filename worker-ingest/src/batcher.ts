export interface BatcherOptions<T, P> {
  /** A batch is closed once its items weigh this much (an item is never split). */
  maxSize: number;
  /** An item's weight; 1 when not given. */
  weight?: (item: T) => number;
  /** A batch is closed at most this long after its first item arrived. */
  maxMs: number;
  /**
   * Called as soon as a batch is closed, possibly while the batch before it is still being
   * written: starts the work that does not depend on that write finishing.
   */
  prepare: (items: T[]) => P;
  /** Writes one batch. Batches are written one at a time, in order. */
  write: (items: T[], prepared: P) => Promise<void>;
  /** A write that threw: its items are dropped (the caller decides what that means). */
  onError: (error: unknown, items: T[]) => void;
}

/** Batches closed and not yet written: the one being written and one prepared behind it. */
const PIPELINE_DEPTH = 2;

/**
 * Collects items into batches closed by size or by time, whichever comes first. While one batch
 * is written, the next is prepared and waits; `add` waits when a third batch is full, so the
 * caller's pulling stops when the writer falls behind.
 */
export class Batcher<T, P> {
  private items: T[] = [];
  private weight = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Every write queued so far, in order. */
  private chain: Promise<void> = Promise.resolve();
  /** Closed batches not yet written, oldest first, with the promise of their write. */
  private pipeline: Array<{ items: T[]; done: Promise<void> }> = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BatcherOptions<T, P>) {}

  async add(item: T): Promise<void> {
    this.items.push(item);
    this.weight += this.options.weight?.(item) ?? 1;
    if (this.items.length === 1) this.timer = setTimeout(() => void this.close(), this.options.maxMs);
    if (this.weight >= this.options.maxSize) await this.close();
  }

  /** Closes the collected batch and resolves when it and every earlier batch are written. */
  async flush(): Promise<void> {
    await this.close();
    await this.chain;
  }

  /** Every item held and not yet written. */
  held(): T[] {
    return this.pipeline.flatMap((b) => b.items).concat(this.items);
  }

  /** How many items held() would list, without listing them (metrics read it often). */
  heldCount(): number {
    return this.pipeline.reduce((sum, b) => sum + b.items.length, this.items.length);
  }

  /** Closes the collected batch as soon as the pipeline has room; resolves once it is taken. */
  private close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pipeline.length < PIPELINE_DEPTH) {
      this.take();
      return Promise.resolve();
    }
    // No room: one waiter (shared by the timer and add) takes everything collected by then.
    this.closing ??= this.pipeline[0]!.done.then(() => {
      this.closing = undefined;
      return this.close();
    });
    return this.closing;
  }

  private take(): void {
    const items = this.items;
    if (items.length === 0) return;
    this.items = [];
    this.weight = 0;
    const prepared = this.options.prepare(items);
    const done: Promise<void> = this.chain
      .then(() => this.options.write(items, prepared))
      .catch((error) => this.options.onError(error, items))
      .finally(() =>
        this.pipeline.splice(
          this.pipeline.findIndex((b) => b.done === done),
          1,
        ),
      );
    this.chain = done;
    this.pipeline.push({ items, done });
  }
}
