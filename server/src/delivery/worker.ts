import type { Logger } from "pino";
import { PgListener } from "../db/pg-listener";
import { NOTIFY_CHANNEL } from "../verification/sql";
import type { DeliveryStore } from "./delivery-store";
import type { Dispatcher } from "./dispatcher";

/** How long a wake-up waits for others to share its claim round. */
export const CLAIM_COALESCE_MS = 10;

export interface WorkerOptions {
  concurrency: number; leaseSeconds: number; pollMs: number; workerId: string;
  /** More housekeeping for the periodic sweep (status callbacks that arrived before their message id was recorded). */
  sweep?: () => Promise<void>;
  /** Work due by the clock, run on every poll (workflow steps whose timer is up: workflow/workflow.ts). */
  onPoll?: () => void;
  /**
   * Where a claim's SENDING state is published, so subscribers see QUEUED → SENDING → SENT; and
   * where QUEUED events from API processes arrive, each one a wake-up (see wakeWorkersColumn).
   */
  events?: {
    published(row: Record<string, any>): Promise<void>;
    subscribeAll?(handler: (e: { delivery: { status: string } }) => void): () => void;
  };
}

/**
 * Claims queued deliveries (FOR UPDATE SKIP LOCKED, with a lease) and dispatches them, up to
 * `concurrency` at once. Woken by the API in the same process, by QUEUED delivery events (from
 * other processes too, over Redis), by LISTEN/NOTIFY when there is no Redis, and by a poll as
 * the safety net (retries that come due, lapsed leases).
 */
export class DeliveryWorker {
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  /** The claim round running now, if any (rounds never overlap). */
  private round?: Promise<void>;
  private dirty = false;
  private timers: NodeJS.Timeout[] = [];
  private listener?: PgListener;
  private unsubscribe?: () => void;
  private coalescing?: NodeJS.Timeout;

  constructor(
    private readonly store: DeliveryStore,
    private readonly dispatcher: Dispatcher,
    private readonly databaseUrl: string,
    private readonly log: Logger,
    private readonly options: WorkerOptions,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    this.listener = new PgListener(this.databaseUrl, NOTIFY_CHANNEL, () => this.wake(), this.log);
    await this.listener.start();
    this.unsubscribe = this.options.events?.subscribeAll?.((e) => {
      if (e.delivery.status === "QUEUED") this.wake();
    });
    this.timers.push(setInterval(() => {
      this.wake();
      this.options.onPoll?.();
    }, this.options.pollMs));
    this.options.onPoll?.();
    this.timers.push(setInterval(() => void this.sweep(), 30_000));
    this.wake();
  }

  /**
   * Asks for a claim round; cheap to call often (rounds never overlap). Wake-ups within
   * CLAIM_COALESCE_MS share one round: at a few hundred requests a second each request used to
   * get a claim statement of its own, which doubled the CPU per request at half load; a few
   * milliseconds on a message that takes seconds to reach a phone buys batches.
   */
  wake(): void {
    if (!this.running) return;
    this.dirty = true;
    if (this.round || this.coalescing) return;
    this.coalescing = setTimeout(() => {
      this.coalescing = undefined;
      this.round ??= this.loop().finally(() => {
        this.round = undefined;
        // A wake-up that came while the round was ending (after its last look at `dirty`).
        if (this.dirty) this.wake();
      });
    }, CLAIM_COALESCE_MS);
  }

  get busy(): number {
    return this.inFlight.size;
  }

  /** Stops claiming, lets in-flight sends finish within the grace period; unfinished claims return to the queue when their lease lapses. */
  async stop(graceMs: number): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    clearTimeout(this.coalescing);
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const grace = new Promise((r) => setTimeout(r, graceMs).unref());
    // A claim round may be starting its batch one send at a time: let it finish starting them,
    // so every claimed delivery is among those waited for below (one grace period for both).
    await Promise.race([this.round, grace]);
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    await this.listener?.stop();
    this.listener = undefined;
  }

  private async loop(): Promise<void> {
    while (this.running && this.dirty) {
      this.dirty = false;
      const free = this.options.concurrency - this.inFlight.size;
      // While sends are in flight, claim in batches of at least a quarter of the slots: one
      // claim statement per finished send was the worker's biggest cost under load. A finishing
      // dispatch wakes us again, so the wait is a fraction of one vendor round trip.
      if (free <= 0 || (this.inFlight.size > 0 && free < Math.ceil(this.options.concurrency / 4))) break;
      let claimed;
      try {
        claimed = await this.store.claim(free, this.options.leaseSeconds, this.options.workerId);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, "claiming deliveries failed; will retry on the next poll");
        break;
      }
      for (const c of claimed) {
        this.track(c);
        // Each start renders, decrypts and builds a vendor request synchronously (~0.3 ms): let the
        // API's waiting I/O run between them, or a batch of 32 holds a request for ~10 ms.
        await new Promise((r) => setImmediate(r));
      }
      if (claimed.length === free) this.dirty = true; // there may be more
    }
  }

  private track(c: Parameters<Dispatcher["dispatch"]>[0]): void {
    // Not awaited: issued before the dispatch's own events on the same bus connection, so they stay in order.
    void this.options.events?.published(c.delivery);
    const p = this.dispatcher
      .dispatch(c)
      .catch((err) => this.log.error({ err, deliveryId: c.delivery.id }, "dispatch failed; the delivery returns to the queue when its lease lapses"))
      .finally(() => {
        this.inFlight.delete(p);
        this.wake();
      });
    this.inFlight.add(p);
  }

  private async sweep(): Promise<void> {
    try {
      await this.store.expireVerifications();
      await this.options.sweep?.();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "expiry sweep failed");
    }
  }
}
