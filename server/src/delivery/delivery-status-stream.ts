import type { DeliveryEventMessage } from "../events/event-bus";
import { EventQueue } from "../graphql/event-queue";
import type { Row } from "../verification/verification-view";
import { toEventMessage, type DeliveryEvents } from "./delivery-events";

/**
 * What a subscriber can see change; an event that changes none of it (only its time) is no change.
 * Compared field by field against the last event itself, which every subscriber of the verification
 * shares: a per-subscriber stamp string (JSON.stringify builds one of ~14 cons-string pieces) cost
 * each of 10,000 open subscriptions about 600 bytes (heap snapshot, Dec 2026).
 */
const sameState = (a: DeliveryEventMessage, b: DeliveryEventMessage) =>
  a.delivery.status === b.delivery.status && a.delivery.provider === b.delivery.provider && a.delivery.channel === b.delivery.channel &&
  a.delivery.errorCode === b.delivery.errorCode && a.delivery.errorMessage === b.delivery.errorMessage &&
  (a.verificationStatus === "FAILED") === (b.verificationStatus === "FAILED") &&
  // A workflow change (a step started or refused) is news even on a delivery that stayed as it was.
  !b.steps;

/**
 * One subscriber's view of a verification's deliveries: first the current state of each
 * (read from Postgres), then every change (from the event bus), each state once.
 *
 * - Live events are subscribed to before the snapshot is read, and held until it is, so that
 *   nothing falls between the two; those the snapshot already covers are dropped.
 * - A repeat (same status, provider and error: a no-op callback, a re-claim) is dropped.
 * - An event older than what the subscriber has (two processes' events can cross in Redis,
 *   and a transaction that waited on a row lock stamps the time it started) is not trusted
 *   either way: the delivery is re-read and its true current state sent if it differs.
 * - A reader that falls behind gets each delivery's latest state, not an unbounded buffer.
 */
export function deliveryStatusStream(
  verificationId: string,
  appId: string,
  events: DeliveryEvents,
  loadRows: () => Promise<Row[]>,
  maxBuffer = 100,
): Promise<AsyncIterableIterator<DeliveryEventMessage>> {
  return new DeliveryStatusStream(verificationId, appId, events, loadRows, maxBuffer).start();
}

const deliveryKey = (e: DeliveryEventMessage) => e.delivery.id;

/**
 * The state behind one subscriber (a class: ten thousand open subscriptions each holding a
 * set of closures and their contexts cost about a kilobyte apiece).
 */
class DeliveryStatusStream {
  private readonly lastSeen = new Map<string, { event: DeliveryEventMessage; updatedAt: string }>();
  private pending: DeliveryEventMessage[] | null = [];
  private refreshing: Promise<void> = Promise.resolve();
  private readonly queue: EventQueue<DeliveryEventMessage>;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly verificationId: string,
    private readonly appId: string,
    events: DeliveryEvents,
    private readonly loadRows: () => Promise<Row[]>,
    maxBuffer: number,
  ) {
    this.queue = new EventQueue<DeliveryEventMessage>(() => this.unsubscribe(), { maxBuffer, keyOf: deliveryKey });
    this.unsubscribe = events.subscribe(verificationId, (e) => this.onEvent(e));
  }

  /** Live events are already being held; the snapshot goes first, then what arrived meanwhile. */
  async start(): Promise<EventQueue<DeliveryEventMessage>> {
    let rows: Row[];
    try {
      rows = await this.loadRows();
    } catch (err) {
      void this.queue.return(); // unsubscribes: a failed start leaves no listener behind
      throw err;
    }
    for (const row of rows) this.emit(toEventMessage(row));
    const held = this.pending!;
    this.pending = null;
    for (const e of held) this.offer(e);
    return this.queue;
  }

  private onEvent(e: DeliveryEventMessage): void {
    if (e.appId !== this.appId || e.verificationId !== this.verificationId) return;
    if (this.pending) this.pending.push(e);
    else this.offer(e);
  }

  private emit(e: DeliveryEventMessage): void {
    this.lastSeen.set(e.delivery.id, { event: e, updatedAt: e.delivery.updatedAt });
    this.queue.push(e);
  }

  private offer(e: DeliveryEventMessage): void {
    const last = this.lastSeen.get(e.delivery.id);
    if (last && e.delivery.updatedAt < last.updatedAt) {
      if (!sameState(last.event, e)) this.refresh();
      return;
    }
    if (last && sameState(last.event, e)) {
      last.updatedAt = e.delivery.updatedAt;
      return;
    }
    this.emit(e);
  }

  private refresh(): void {
    this.refreshing = this.refreshing.then(async () => {
      if (this.queue.closed) return;
      const rows = await this.loadRows().catch(() => [] as Row[]); // the next event or resubscription corrects it
      for (const row of rows) {
        const e = toEventMessage(row);
        const last = this.lastSeen.get(e.delivery.id);
        if (!last || !sameState(last.event, e)) this.emit(e);
      }
    });
  }
}
