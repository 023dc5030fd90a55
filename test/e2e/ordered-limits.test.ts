/**
 * RateLimits.runInOrder: a send's limits in one Redis round trip must behave exactly like the
 * same rules called one after another through rate-limiter-flexible — in Redis and in memory —
 * and share its keys, so that the library's check, block and reset see what the script counted.
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import { createDataSource, migrate } from "../../server/src/db/data-source";
import { GatewayError } from "../../server/src/errors";
import { BlockStore } from "../../server/src/protection/block-store";
import type { LimitStep } from "../../server/src/protection/limit-steps";
import { RateLimits } from "../../server/src/protection/rate-limits";
import { connectRedis, type RedisClient } from "../../server/src/redis";
import { TEST_REDIS_URL, createTestDatabase } from "../helpers/test-database";

const log = pino({ level: "silent" });
let db: { url: string; drop(): Promise<void> };
let ds: DataSource;
let redis: RedisClient;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource(db.url, 4);
  await ds.initialize();
  await migrate(ds);
  redis = await connectRedis(TEST_REDIS_URL, log);
}, 60_000);

afterAll(async () => {
  await redis?.quit();
  await ds?.destroy();
  await db?.drop();
});

const subject = (key: string) => ({ appId: null, key, keyMasked: key });
const A = { name: "t_a", points: 2, durationSeconds: 60 };
const B = { name: "t_b", points: 1, durationSeconds: 60 };
const GATE = { name: "t_gate", points: 1, durationSeconds: 60 };

/** Runs steps; the refusing rule's retryAfter, or "ok" with the due flags. */
async function outcome(limits: RateLimits, steps: LimitStep[]): Promise<string> {
  try {
    return `ok ${JSON.stringify(await limits.runInOrder(steps))}`;
  } catch (e) {
    if (!(e instanceof GatewayError) || e.code !== "RATE_LIMITED") throw e;
    return `refused ${Math.ceil(Number(e.extensions.retryAfter))}`;
  }
}

for (const store of ["redis", "memory"] as const) {
  describe(`runInOrder (${store})`, () => {
    const prefix = `otpg-t-${randomBytes(4).toString("hex")}:`;
    const make = () => {
      const refusals: string[] = [];
      const limits = new RateLimits(store === "redis" ? redis : undefined, prefix, new BlockStore(ds, Buffer.alloc(32, 7)), log);
      limits.onRefusal = (rule) => refusals.push(rule);
      return { limits, refusals };
    };

    it("a refusing step stops the later ones from counting, and is stored as a block once", async () => {
      const { limits, refusals } = make();
      const key = `k${randomBytes(3).toString("hex")}`;
      const steps: LimitStep[] = [
        { op: "consume", rule: A, subject: subject(key) },
        { op: "consume", rule: B, subject: subject(key) },
      ];
      expect(await outcome(limits, steps)).toBe("ok []");
      expect(await outcome(limits, steps)).toBe("refused 60"); // B over (A at 2 of 2)
      expect(await outcome(limits, steps)).toBe("refused 60"); // A over: B not counted again
      expect(refusals).toEqual(["t_b", "t_a"]);
      // The library reading the same keys sees the spent budget; in Redis, the counts are exact: A 3, B stopped at 2.
      await expect(limits.check(B, subject(key))).rejects.toMatchObject({ code: "RATE_LIMITED" });
      if (store === "redis") {
        expect(await redis.get(`${prefix}rl:t_a:${key}`)).toBe("3");
        expect(await redis.get(`${prefix}rl:t_b:${key}`)).toBe("2");
      }
      const blocks = await ds.query(`SELECT rule, hits, "limit" FROM rate_limit_blocks WHERE key_masked = $1 ORDER BY created_at`, [key]);
      expect(blocks).toEqual([{ rule: "t_b", hits: 2, limit: 1 }, { rule: "t_a", hits: 3, limit: 2 }]);
    });

    it("a check step refuses on a block set by the library, before anything after it counts", async () => {
      const { limits } = make();
      const key = `k${randomBytes(3).toString("hex")}`;
      const blockRule = { name: "t_block", points: 1, durationSeconds: 120 };
      const steps: LimitStep[] = [
        { op: "check", rule: blockRule, subject: subject(key) },
        { op: "consume", rule: B, subject: subject(key) },
      ];
      await limits.block(blockRule, subject(key), { hits: 1, limit: 1, details: {} });
      expect(await outcome(limits, steps)).toBe("refused 120");
      expect(await outcome(limits, steps)).toBe("refused 120");
      // B never counted while the block stood; lifting the block (reset) lets the send through.
      await limits.reset(blockRule, key);
      expect(await outcome(limits, steps)).toBe("ok []");
      expect(await outcome(limits, steps)).toBe("refused 60");
    });

    it("a due step answers once per window and never refuses", async () => {
      const { limits } = make();
      const key = `k${randomBytes(3).toString("hex")}`;
      const steps: LimitStep[] = [
        { op: "due", rule: GATE, key },
        { op: "consume", rule: A, subject: subject(key) },
        { op: "due", rule: { ...GATE, name: "t_gate2" }, key },
      ];
      expect(await outcome(limits, steps)).toBe("ok [true,true]");
      expect(await outcome(limits, steps)).toBe("ok [false,false]");
      expect(await outcome(limits, steps)).toBe("refused 60");
    });
  });
}

describe("runInOrder without Redis", () => {
  it("fails closed when Redis is unreachable: RATE_LIMITED, and the refusal is counted as limiter_unavailable", async () => {
    const down = await connectRedis(TEST_REDIS_URL, log);
    await down.quit();
    const refusals: string[] = [];
    const limits = new RateLimits(down, "otpg-t-down:", new BlockStore(ds, Buffer.alloc(32, 7)), log);
    limits.onRefusal = (rule) => refusals.push(rule);
    await expect(limits.runInOrder([{ op: "consume", rule: A, subject: subject("x") }])).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(refusals).toEqual(["limiter_unavailable"]);
  });
});
