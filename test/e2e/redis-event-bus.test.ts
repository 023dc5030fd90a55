import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeliveryEventMessage } from "../../server/src/events/event-bus";
import { RedisEventBus } from "../../server/src/events/redis-event-bus";
import { createLogger } from "../../server/src/observability/logger";
import { connectRedis, type RedisClient } from "../../server/src/redis";
import { TEST_REDIS_URL } from "../helpers/test-database";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const event = (verificationId: string, status = "SENT"): DeliveryEventMessage => ({
  verificationId, appId: "app-1",
  delivery: { id: "d-1", channel: "SMS", provider: "twilio", status, errorCode: null, errorMessage: null, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
} as DeliveryEventMessage);

/** Two processes' buses on one Redis (a fresh prefix): what one publishes, the other's subscribers get. */
describe("delivery events over Redis", () => {
  const warnings: string[] = [];
  const log = createLogger("warn", new Writable({ write(c, _e, cb) { warnings.push(String(c)); cb(); } }));
  const prefix = `otpg-bus-${randomBytes(4).toString("hex")}:`;
  let pubClient: RedisClient, subClient: RedisClient, raw: RedisClient;
  let publisher: RedisEventBus, receiver: RedisEventBus;

  beforeAll(async () => {
    [pubClient, subClient, raw] = await Promise.all([connectRedis(TEST_REDIS_URL, log), connectRedis(TEST_REDIS_URL, log), connectRedis(TEST_REDIS_URL, log)]);
    publisher = await RedisEventBus.connect(pubClient, prefix, log);
    receiver = await RedisEventBus.connect(subClient, prefix, log);
  });
  afterAll(async () => {
    await publisher.close();
    await receiver.close();
    for (const c of [pubClient, subClient, raw]) await c.quit();
  });

  it("delivers to subscribers across subscribe/unsubscribe cycles, and decodes nothing while none listens", async () => {
    // Nobody listens: a malformed message is not even decoded (no warning).
    await raw.publish(`${prefix}delivery-events`, "{not json");
    await sleep(100);
    expect(warnings.join("")).not.toContain("malformed");

    const got: DeliveryEventMessage[] = [];
    const all: string[] = [];
    const off = receiver.subscribe("v-1", (e) => got.push(e));
    const offAll = receiver.subscribeAll((e) => all.push(e.delivery.status));
    await publisher.publish(event("v-1", "SENDING"));
    await publisher.publish(event("v-2", "QUEUED"));
    // Waits on what arrives (a fixed pause was too short on a busy machine); then nothing more came.
    await expect.poll(() => all, { timeout: 15_000 }).toEqual(["SENDING", "QUEUED"]);
    expect(got.map((e) => e.delivery.status)).toEqual(["SENDING"]);

    // A listener now decodes what arrives: the malformed message is reported, not thrown.
    await raw.publish(`${prefix}delivery-events`, "{not json");
    await expect.poll(() => warnings.join(""), { timeout: 15_000 }).toContain("dropping malformed delivery event");

    off();
    off(); // twice: still one listener left (the count never goes below what is subscribed)
    await publisher.publish(event("v-1", "SENT"));
    await expect.poll(() => all, { timeout: 15_000 }).toEqual(["SENDING", "QUEUED", "SENT"]);
    expect(got).toHaveLength(1); // the same message reached the other listener: this one is gone
    offAll();
    expect(receiver.subscriberCount("v-1")).toBe(0);

    const again: string[] = [];
    const off2 = receiver.subscribe("v-1", (e) => again.push(e.delivery.status));
    await publisher.publish(event("v-1", "DELIVERED"));
    await expect.poll(() => again, { timeout: 15_000 }).toEqual(["DELIVERED"]);
    off2();
  });

  it("sends events published together as one message, and decodes a message only where its header names something listened to", async () => {
    // What travels on the channel, seen by a plain subscriber.
    const messages: string[] = [];
    const spy = raw.duplicate();
    await spy.connect();
    await spy.subscribe(`${prefix}delivery-events`, (m) => messages.push(m));
    try {
      const queued: string[] = [];
      const offQueued = receiver.subscribeStatus("QUEUED", (e) => queued.push(e.verificationId));
      await Promise.all([publisher.publish(event("v-3", "SENDING")), publisher.publish(event("v-4", "QUEUED")), publisher.publish(event("v-5", "SENT"))]);
      await expect.poll(() => queued, { timeout: 15_000 }).toEqual(["v-4"]);
      expect(messages).toHaveLength(1);
      expect(messages[0].split("\n")[0]).toBe("v-3=SENDING;v-4=QUEUED;v-5=SENT;");

      // Only a QUEUED listener here: a message of SENT events is not decoded (its broken body is never read)...
      const before = warnings.length;
      await raw.publish(`${prefix}delivery-events`, "v-6=SENT;\n{not json");
      // ...while one naming a QUEUED event is (and its broken body reported, not thrown).
      await raw.publish(`${prefix}delivery-events`, "v-7=QUEUED;\n{not json");
      await expect.poll(() => warnings.length, { timeout: 15_000 }).toBe(before + 1);
      // A subscriber of one verification: messages naming it are decoded, others are not.
      const mine: string[] = [];
      const offMine = receiver.subscribe("v-8", (e) => mine.push(e.delivery.status));
      await raw.publish(`${prefix}delivery-events`, "v-9=SENDING;\n{not json");
      await Promise.all([publisher.publish(event("v-8", "SENDING")), publisher.publish(event("v-8", "SENT"))]);
      await expect.poll(() => mine, { timeout: 15_000 }).toEqual(["SENDING", "SENT"]);
      expect(warnings.length).toBe(before + 1);
      // A single event in the format before batches is still heard.
      await raw.publish(`${prefix}delivery-events`, JSON.stringify(event("v-8", "DELIVERED")));
      await expect.poll(() => mine, { timeout: 15_000 }).toEqual(["SENDING", "SENT", "DELIVERED"]);
      offMine();
      offQueued();
      expect(queued).toEqual(["v-4"]);
    } finally {
      await spy.quit();
    }
  });
});
