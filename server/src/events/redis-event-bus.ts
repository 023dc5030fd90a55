import type { Logger } from "pino";
import type { RedisClient } from "../redis";
import { FanoutBus, type DeliveryEventMessage } from "./event-bus";

/**
 * Delivery events between processes over Redis publish/subscribe: one channel for all
 * events, re-emitted locally by verification id, so 10,000 open subscriptions cost one
 * Redis subscription per process. Redis is fan-out only: the events are already rows.
 */
export class RedisEventBus extends FanoutBus {
  private readonly channel: string;

  private constructor(private readonly pub: RedisClient, private readonly sub: RedisClient, prefix: string, private readonly log: Logger) {
    super();
    this.channel = `${prefix}delivery-events`;
  }

  static async connect(client: RedisClient, prefix: string, log: Logger): Promise<RedisEventBus> {
    const sub = client.duplicate();
    sub.on("error", () => undefined); // reported by the main client's handler; reconnects on its own
    await sub.connect();
    const bus = new RedisEventBus(client, sub, prefix, log);
    await sub.subscribe(bus.channel, (message) => {
      // Every process receives every event on the one channel; one with no subscriber and no
      // worker (an API process nobody is watching through) need not decode them.
      if (!bus.hasListeners) return;
      try {
        bus.deliverLocally(JSON.parse(message));
      } catch (err) {
        log.warn({ err }, "dropping malformed delivery event");
      }
    });
    return bus;
  }

  async publish(e: DeliveryEventMessage): Promise<void> {
    try {
      await this.pub.publish(this.channel, JSON.stringify(e));
    } catch (err) {
      // The event is stored; subscribers that miss it see the current state when they (re)subscribe.
      this.log.warn({ err: (err as Error).message }, "could not publish delivery event");
    }
  }

  async close(): Promise<void> {
    await this.sub.quit().catch(() => undefined);
  }
}
