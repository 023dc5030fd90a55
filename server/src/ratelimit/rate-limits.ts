import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Logger } from "pino";
import { rateLimited } from "../errors";
import type { BlockStore } from "./block-store";
import type { RedisClient } from "../redis";

export interface LimitRule { name: string; points: number; durationSeconds: number }
export interface LimitSubject { appId: string | null; key: string; keyMasked: string }

/**
 * Counts against named rules atomically, in Redis when configured (shared by every process)
 * or in memory for a single-process install. A refusal is RATE_LIMITED with retryAfter and is
 * stored as a block the first time a key goes over. When Redis is unreachable, sends fail
 * closed: refusing a code is recoverable, sending unmetered SMS is not.
 */
export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  /** Told of every refusal by rule name (metrics); "limiter_unavailable" when failing closed. */
  onRefusal?: (rule: string) => void;

  constructor(
    private readonly redis: RedisClient | undefined,
    private readonly prefix: string,
    private readonly blocks: BlockStore,
    private readonly log: Logger,
  ) {}

  async consume(rule: LimitRule, subject: LimitSubject, points = 1): Promise<void> {
    const limiter = this.limiter(rule);
    try {
      await limiter.consume(subject.key, points);
    } catch (e) {
      this.onRefusal?.(e instanceof RateLimiterRes ? rule.name : "limiter_unavailable");
      if (!(e instanceof RateLimiterRes)) {
        this.log.error({ err: e, rule: rule.name }, "rate limiter unavailable; refusing (fail closed)");
        throw rateLimited(5, "Rate limiting is temporarily unavailable; try again shortly");
      }
      const retryAfter = e.msBeforeNext / 1000;
      if (e.consumedPoints - points <= rule.points) {
        // First refusal of this window: one row per block, not one per hammering request.
        await this.blocks
          .record({
            appId: subject.appId, rule: rule.name, key: subject.key, keyMasked: subject.keyMasked,
            hits: e.consumedPoints, limit: rule.points, blockedUntil: new Date(Date.now() + e.msBeforeNext),
            details: { windowSeconds: rule.durationSeconds },
          })
          .catch((err) => this.log.error({ err }, "could not record rate-limit block"));
      }
      throw rateLimited(retryAfter);
    }
  }

  /** Resets a key's counter (lifting a block). */
  async reset(rule: LimitRule, key: string): Promise<void> {
    await this.limiter(rule).delete(key);
  }

  private limiter(rule: LimitRule): RateLimiterAbstract {
    const id = `${rule.name}:${rule.points}:${rule.durationSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const opts = { keyPrefix: `${this.prefix}rl:${rule.name}`, points: rule.points, duration: rule.durationSeconds };
      limiter = this.redis
        ? new RateLimiterRedis({ ...opts, storeClient: this.redis, useRedisPackage: true, rejectIfRedisNotReady: true })
        : new RateLimiterMemory(opts);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}
