import type { DeliveryEventMessage } from "../events/event-bus";
import { eventQueue } from "../graphql/event-queue";
import type { Row } from "../verification/verification-view";
import { toEventMessage, type DeliveryEvents } from "./delivery-events";

/** What a subscriber can see change; an event that changes none of it (only its time) is no change. */
const stampOf = (e: DeliveryEventMessage) =>
  JSON.stringify([e.delivery.status, e.delivery.provider, e.delivery.channel, e.delivery.errorCode, e.delivery.errorMessage]);

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
  const lastSeen = new Map<string, { stamp: string; updatedAt: string }>();
  const emit = (e: DeliveryEventMessage) => {
    lastSeen.set(e.delivery.id, { stamp: stampOf(e), updatedAt: e.delivery.updatedAt });
    queue.push(e);
  };
  let refreshing: Promise<void> = Promise.resolve();
  const refresh = () => {
    refreshing = refreshing.then(async () => {
      if (queue.closed) return;
      const rows = await loadRows().catch(() => [] as Row[]); // the next event or resubscription corrects it
      for (const row of rows) {
        const e = toEventMessage(row);
        if (lastSeen.get(e.delivery.id)?.stamp !== stampOf(e)) emit(e);
      }
    });
  };
  const offer = (e: DeliveryEventMessage) => {
    const last = lastSeen.get(e.delivery.id);
    if (last && e.delivery.updatedAt < last.updatedAt) return last.stamp === stampOf(e) ? undefined : refresh();
    if (last?.stamp === stampOf(e)) {
      last.updatedAt = e.delivery.updatedAt;
      return;
    }
    emit(e);
  };

  let pending: DeliveryEventMessage[] | null = [];
  const queue = eventQueue<DeliveryEventMessage>(() => unsubscribe(), { maxBuffer, keyOf: (e) => e.delivery.id });
  const unsubscribe = events.subscribe(verificationId, (e) => {
    if (e.appId !== appId || e.verificationId !== verificationId) return;
    if (pending) pending.push(e);
    else offer(e);
  });
  return loadRows().then(
    (rows) => {
      for (const row of rows) emit(toEventMessage(row));
      const held = pending!;
      pending = null;
      for (const e of held) offer(e);
      return queue;
    },
    (err) => {
      void queue.return!(); // unsubscribes: a failed start leaves no listener behind
      throw err;
    },
  );
}
