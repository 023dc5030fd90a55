/**
 * A push-to-pull async iterator: events pushed while nobody awaits are buffered (bounded),
 * and `return()` (client unsubscribed or disconnected) runs the cleanup exactly once.
 */
export function eventQueue<T>(onClose: () => void, maxBuffer = 1000): AsyncIterableIterator<T> & { push(v: T): void } {
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
    push(v: T) {
      if (done) return;
      if (waiting) {
        waiting({ value: v, done: false });
        waiting = null;
      } else if (buffer.length < maxBuffer) buffer.push(v);
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
