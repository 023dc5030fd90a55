import type { Logger } from "pino";

/** What happened to a limit write that could not be made at once. */
export type DeferredOutcome = "queued" | "retried" | "dropped";

export interface LimitWriteRetryOptions {
  /** Writes kept waiting at most; past it the oldest is dropped (counted, logged). */
  maxPending: number;
  /** A write older than this is dropped rather than retried: its window is long gone. */
  maxAgeMs: number;
  minDelayMs: number;
  maxDelayMs: number;
}

const DEFAULTS: LimitWriteRetryOptions = { maxPending: 10_000, maxAgeMs: 3_600_000, minDelayMs: 200, maxDelayMs: 5_000 };

interface Pending { what: string; write: () => Promise<unknown>; since: number }

/**
 * Limit writes that follow an outcome the database has already committed — a failed verify's
 * penalty, an approval's budget reset, an approval counted in the pumping history. By then the
 * caller's answer is decided (the code was wrong, or right and consumed), so a limiter that
 * fails at that moment must not turn the answer into INTERNAL_ERROR (an approved code with no
 * token, NOT_FOUND on retry), and must not lose the write either: an attacker who could make
 * penalties vanish would guess for free. The write is tried once inline (so the normal path
 * counts before answering, as before) and, when the limiter is unreachable, kept and retried
 * in order with backoff until it is back. Checks before an attempt still fail closed
 * (RateLimits), so while the limiter is down few attempts get this far.
 *
 * Kept in memory: a process that dies with writes waiting loses them (logged at shutdown);
 * the per-verification attempt count in Postgres is the bound that never depends on this.
 */
export class LimitWriteRetry {
  private readonly queue: Pending[] = [];
  private readonly options: LimitWriteRetryOptions;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  /** Told of every write that was queued, made late, or given up (metrics). */
  onOutcome?: (outcome: DeferredOutcome) => void;

  constructor(private readonly log: Logger, options: Partial<LimitWriteRetryOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Makes the write now, or keeps it for later when it fails; never throws. `what` names the rule, never a key. */
  async run(what: string, write: () => Promise<unknown>): Promise<void> {
    // Behind writes already waiting: keep the order (a reset must not overtake the penalty before it).
    if (this.queue.length) return this.defer({ what, write, since: Date.now() });
    try {
      await write();
    } catch (err) {
      this.log.warn({ err, write: what }, "could not write a limit; kept to retry when the limiter is back");
      this.defer({ what, write, since: Date.now() });
    }
  }

  /** One more try of everything waiting (shutdown): what still fails is reported lost. */
  async drain(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length) {
      this.log.error({ lost: this.queue.length, writes: [...new Set(this.queue.map((p) => p.what))] }, "limit writes lost at shutdown: the limiter was unreachable");
      this.queue.length = 0;
    }
  }

  private defer(p: Pending): void {
    this.queue.push(p);
    this.onOutcome?.("queued");
    while (this.queue.length > this.options.maxPending) this.drop(this.queue.shift()!, "too many limit writes waiting");
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.flushing) return;
    const delay = Math.min(this.options.maxDelayMs, this.options.minDelayMs * 2 ** Math.min(this.failures, 16));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
    this.timer.unref();
  }

  private flush(): Promise<void> {
    return (this.flushing ??= (async () => {
      let made = 0;
      try {
        while (this.queue.length) {
          const next = this.queue[0];
          if (Date.now() - next.since > this.options.maxAgeMs) {
            this.drop(this.queue.shift()!, "limit write too old to retry");
            continue;
          }
          try {
            await next.write();
          } catch {
            this.failures++;
            return;
          }
          this.queue.shift();
          this.failures = 0;
          made++;
          this.onOutcome?.("retried");
        }
        // Only when there was something to catch up on (drain at every shutdown runs this too).
        if (made) this.log.info({ made }, "limit writes caught up");
      } finally {
        this.flushing = undefined;
        if (this.queue.length) this.schedule();
      }
    })());
  }

  private drop(p: Pending, why: string): void {
    this.onOutcome?.("dropped");
    this.log.error({ write: p.what, waitedMs: Date.now() - p.since }, why);
  }
}
