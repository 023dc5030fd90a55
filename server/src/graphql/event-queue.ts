export interface EventQueueOptions<T> {
  /** Events held for a subscriber that isn't reading (default 1000). */
  maxBuffer?: number;
  /**
   * Events with the same key supersede each other (a delivery's status is a state): when the
   * buffer is full, the oldest buffered event with the new one's key is dropped instead of the
   * new one, so a slow reader still ends on the latest state. Without a key, or when no
   * buffered event shares it, a full buffer ends the stream: the client resubscribes and
   * starts from a fresh snapshot rather than silently missing changes.
   */
  keyOf?: (v: T) => string;
}

/**
 * A push-to-pull async iterator: events pushed while nobody awaits are buffered (bounded, see
 * above), and `return()` (client unsubscribed or disconnected) runs the cleanup exactly once.
 *
 * A class rather than a closure-built object: one lives per open subscription, and ten
 * thousand of them each carrying its own copy of every method (and their contexts) cost about
 * a kilobyte apiece. The buffer is allocated only when an event has to wait.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private buffer: T[] | null = null;
  private waiting: ((r: IteratorResult<T>) => void) | null = null;
  private done = false;
  private readonly maxBuffer: number;
  private readonly keyOf?: (v: T) => string;

  constructor(private readonly onClose: () => void, options: EventQueueOptions<T> = {}) {
    this.maxBuffer = options.maxBuffer ?? 1000;
    this.keyOf = options.keyOf;
  }

  get closed(): boolean {
    return this.done;
  }

  push(v: T): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: v, done: false });
      return;
    }
    const buffer = (this.buffer ??= []);
    if (buffer.length >= this.maxBuffer) {
      const key = this.keyOf?.(v);
      const superseded = key === undefined ? -1 : buffer.findIndex((b) => this.keyOf!(b) === key);
      if (superseded < 0) {
        buffer.length = 0;
        return this.close();
      }
      buffer.splice(superseded, 1);
    }
    buffer.push(v);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer?.length) return Promise.resolve({ value: this.buffer.shift()!, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<T>> {
    this.close();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    this.onClose();
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
  }
}

export function eventQueue<T>(onClose: () => void, options: number | EventQueueOptions<T> = {}): EventQueue<T> {
  return new EventQueue(onClose, typeof options === "number" ? { maxBuffer: options } : options);
}
