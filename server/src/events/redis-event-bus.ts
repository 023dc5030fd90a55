import type { Logger } from "pino";
import type { RedisClient } from "../redis";
import { FanoutBus, type DeliveryEventMessage } from "./event-bus";
import { decodeEvents, encodeEvents, eventsHeader } from "./event-wire";

/**
 * How long a published event waits for others to share its Redis message. A code makes three
 * events (QUEUED from the API, SENDING and SENT from the worker), each a PUBLISH — a socket
 * write on this side and a message for every process on the other — and under load the worker
 * starts and finishes sends dozens at a time: one millisecond gathers them into one message.
 */
export const EVENT_BATCH_WINDOW_MS = 1;
/** At most this many events per message; a fuller batch goes at once. */
export const EVENT_BATCH_MAX = 64;

/**
 * Delivery events between processes over Redis publish/subscribe: one channel for all
 * events, re-emitted locally by verification id, so 10,000 open subscriptions cost one
 * Redis subscription per process. Redis is fan-out only: the events are already rows.
 *
 * Events published within EVENT_BATCH_WINDOW_MS travel as one message, encoded once
 * (event-wire.ts): a header naming each event's verification and status, then the events.
 * Every process receives every message; one reads the header only, and decodes the events
 * only when something in it listens to one of them — an API process nobody watches through
 * decodes nothing, a worker (listening for QUEUED to wake up) not its own SENDING and SENT.
 */
export class RedisEventBus extends FanoutBus {
  private readonly channel: string;
  private pending: DeliveryEventMessage[] = [];
  private published: Array<() => void> = [];
  private timer?: NodeJS.Timeout;
  private flushing = new Set<Promise<void>>();

  private constructor(private readonly pub: RedisClient, private readonly sub: RedisClient, prefix: string, private readonly log: Logger) {
    super();
    this.channel = `${prefix}delivery-events`;
  }

  static async connect(client: RedisClient, prefix: string, log: Logger): Promise<RedisEventBus> {
    const sub = client.duplicate();
    sub.on("error", () => undefined); // reported by the main client's handler; reconnects on its own
    await sub.connect();
    const bus = new RedisEventBus(client, sub, prefix, log);
    await sub.subscribe(bus.channel, (message) => bus.received(message));
    return bus;
  }

  /** Resolves once the event's message is published (or could not be: the event is stored either way). */
  publish(e: DeliveryEventMessage): Promise<void> {
    return new Promise((resolve) => {
      this.pending.push(e);
      this.published.push(resolve);
      if (this.pending.length >= EVENT_BATCH_MAX) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), EVENT_BATCH_WINDOW_MS);
    });
  }

  async close(): Promise<void> {
    this.flush();
    await Promise.all(this.flushing);
    await this.sub.quit().catch(() => undefined);
  }

  private received(message: string): void {
    // Every process receives every event on the one channel: decode only what someone here listens to.
    if (!this.hasListeners) return;
    try {
      const header = eventsHeader(message);
      if (header !== null && !this.wantsAnyOf(header)) return;
      for (const e of decodeEvents(message)) this.deliverLocally(e);
    } catch (err) {
      this.log.warn({ err }, "dropping malformed delivery event");
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    const events = this.pending;
    const done = this.published;
    this.pending = [];
    this.published = [];
    const p = this.pub.publish(this.channel, encodeEvents(events)).then(
      () => undefined,
      // The events are stored; subscribers that miss them see the current state when they (re)subscribe.
      (err: Error) => this.log.warn({ err: err.message, events: events.length }, "could not publish delivery events"),
    ).finally(() => {
      this.flushing.delete(p);
      for (const resolve of done) resolve();
    });
    this.flushing.add(p);
  }
}
