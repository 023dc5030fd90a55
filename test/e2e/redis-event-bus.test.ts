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
});
