import type { Row } from "../verification/verification-view";
import type { AttemptRecord, DeliveryStore } from "./delivery-store";

/**
 * How long a recorded hand-off waits for others to share its statement. Measured draining a
 * backlog to the bench's stand-in (worker alone, 32 sends in flight): batches of 1.9 a turn
 * without a wait (1.05 CPU ms per delivery), 3.9 at 3 ms (0.95), 7.6 at 5 ms (0.70, 1,085/s);
 * longer waits hold the send slots and lose throughput. The hand-off itself is not delayed:
 * the vendor already has the message; only its SENT row is.
 */
export const SENT_BATCH_WINDOW_MS = 5;

interface Waiting {
  delivery: Row;
  attempt: AttemptRecord;
  status: string;
  resolve: (r: { row: Row | null; earlyCallbacks: boolean }) => void;
  reject: (err: unknown) => void;
}

/**
 * Records vendor hand-offs in batches: the `sent` transitions that finish within a few
 * milliseconds of each other share one statement (DeliveryStore.sentMany), up to `maxBatch`. Under load a
 * worker finishes dozens of sends per turn, and one statement per send was a third of its
 * cost in the CPU profile (socket writes to Postgres, and a commit each on the database's side,
 * on the same two cores). The first hand-off of a batch waits SENT_BATCH_WINDOW_MS for others;
 * a full batch goes at once. Each caller gets its own row back, or the statement's error.
 */
export class SentBatcher {
  private queue: Waiting[] = [];
  /** The pending flush of the batch being gathered; none while the queue is empty. */
  private timer?: NodeJS.Timeout;

  constructor(private readonly store: DeliveryStore, private readonly workerId: string, private readonly maxBatch = 64, private readonly windowMs = SENT_BATCH_WINDOW_MS) {}

  record(delivery: Row, attempt: AttemptRecord, status: string): Promise<{ row: Row | null; earlyCallbacks: boolean }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ delivery, attempt, status, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.maxBatch);
    if (!batch.length) return;
    // What arrived past a full batch starts the next one's window.
    if (this.queue.length) this.timer = setTimeout(() => this.flush(), this.windowMs);
    this.store.sentMany(batch.map((w) => ({ delivery: w.delivery, attempt: w.attempt, status: w.status })), this.workerId).then(
      (results) => batch.forEach((w, i) => w.resolve(results[i])),
      (err) => batch.forEach((w) => w.reject(err)),
    );
  }
}
