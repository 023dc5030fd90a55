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
 */
export function eventQueue<T>(onClose: () => void, options: number | EventQueueOptions<T> = {}): AsyncIterableIterator<T> & { push(v: T): void; readonly closed: boolean } {
  const { maxBuffer = 1000, keyOf } = typeof options === "number" ? { maxBuffer: options } : options;
  const buffer: T[] = [];
  let waiting: ((r: IteratorResult<T>) => void) | null = null;
  let done = false;
  const close = () => {
    if (done) return;
    done = true;
    onClose();
    waiting?.({ value: undefined, done: true });
    waiting = null;
  };
  return {
    get closed() {
      return done;
    },
    push(v: T) {
      if (done) return;
      if (waiting) {
        waiting({ value: v, done: false });
        waiting = null;
        return;
      }
      if (buffer.length >= maxBuffer) {
        const key = keyOf?.(v);
        const superseded = key === undefined ? -1 : buffer.findIndex((b) => keyOf!(b) === key);
        if (superseded < 0) {
          buffer.length = 0;
          return close();
        }
        buffer.splice(superseded, 1);
      }
      buffer.push(v);
    },
    next() {
      if (buffer.length) return Promise.resolve({ value: buffer.shift()!, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      close();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err?: unknown) {
      close();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
