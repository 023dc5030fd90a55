import { createHash } from "node:crypto";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Logger } from "pino";
import { rateLimited } from "../errors";
import type { BlockStore } from "./block-store";
import type { RedisClient } from "../redis";
import { OP_CODES, ORDERED_LIMITS_LUA, type LimitStep } from "./limit-steps";

const ORDERED_LIMITS_SHA = createHash("sha1").update(ORDERED_LIMITS_LUA).digest("hex");

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

  /** Counts `points` and answers what is left of the window's budget; refuses (RATE_LIMITED) past it. */
  async consume(rule: LimitRule, subject: LimitSubject, points = 1): Promise<number> {
    const limiter = this.limiter(rule);
    try {
      return (await limiter.consume(subject.key, points)).remainingPoints;
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) this.failClosed(e, [rule]);
      this.onRefusal?.(rule.name);
      const retryAfter = e.msBeforeNext / 1000;
      if (e.consumedPoints - points <= rule.points) {
        // First refusal of this window: one row per block, not one per hammering request.
        await this.recordBlock(rule, subject, e.consumedPoints, e.msBeforeNext);
      }
      throw rateLimited(retryAfter);
    }
  }

  /**
   * Runs several steps in order, stopping at the first refusal (which is thrown as `consume`
   * or `check` would throw it). Returns the `due` steps' answers, in order. With Redis this is
   * one round trip (see ORDERED_LIMITS_LUA); in memory it is the same calls one after another.
   */
  async runInOrder(steps: LimitStep[]): Promise<boolean[]> {
    if (!this.redis) {
      const due: boolean[] = [];
      for (const step of steps) {
        if (step.op === "consume") await this.consume(step.rule, step.subject);
        else if (step.op === "check") await this.check(step.rule, step.subject);
        else due.push(await this.tryConsume(step.rule, step.key));
      }
      return due;
    }
    // The library's own key layout, so its get/penalty/block/delete meet what the script counted.
    const keys = steps.map((s) => this.limiter(s.rule).getKey(s.op === "due" ? s.key : s.subject.key));
    const args = steps.flatMap((s) => [OP_CODES[s.op], String(s.rule.points), String(s.rule.durationSeconds)]);
    let reply: number[];
    try {
      reply = (await this.evalOrdered(keys, args)) as number[];
    } catch (err) {
      this.failClosed(err, steps.map((s) => s.rule));
    }
    const [index, consumed, msBeforeNext, ...due] = reply.map(Number);
    if (index > 0) {
      const step = steps[index - 1] as Exclude<LimitStep, { op: "due" }>;
      this.onRefusal?.(step.rule.name);
      // First refusal of this window (a consume just went over): one stored block, as in `consume`.
      if (step.op === "consume" && consumed - 1 <= step.rule.points) await this.recordBlock(step.rule, step.subject, consumed, msBeforeNext);
      throw rateLimited(msBeforeNext / 1000);
    }
    return due.map((d) => d === 1);
  }

  private async evalOrdered(keys: string[], args: string[]): Promise<unknown> {
    const redis = this.redis!;
    if (!redis.isReady) throw new Error("redis is not connected");
    try {
      return await redis.evalSha(ORDERED_LIMITS_SHA, { keys, arguments: args });
    } catch (err) {
      if (!String((err as Error).message).startsWith("NOSCRIPT")) throw err;
      return redis.eval(ORDERED_LIMITS_LUA, { keys, arguments: args });
    }
  }

  /**
   * Refuses when a budget counted by `penalize` is spent, without spending anything itself:
   * for limits on outcomes (failed verifications) that are known only after the attempt.
   */
  async check(rule: LimitRule, subject: LimitSubject): Promise<void> {
    let res: RateLimiterRes | null;
    try {
      res = await this.limiter(rule).get(subject.key);
    } catch (err) {
      this.failClosed(err, [rule]);
    }
    if (res && res.consumedPoints >= rule.points && res.msBeforeNext > 0) {
      this.onRefusal?.(rule.name);
      throw rateLimited(res.msBeforeNext / 1000);
    }
  }

  /**
   * Counts an outcome against a budget that `check` enforces. Never refuses (the attempt has
   * already happened); records the block when this point is the one that spends the budget.
   */
  async penalize(rule: LimitRule, subject: LimitSubject): Promise<void> {
    try {
      const res = await this.limiter(rule).penalty(subject.key, 1);
      if (res.consumedPoints === rule.points) await this.recordBlock(rule, subject, res.consumedPoints, res.msBeforeNext);
    } catch (err) {
      this.log.error({ err, rule: rule.name }, "could not count a failed attempt against its limit");
    }
  }

  /**
   * Blocks a key outright for the rule's duration (a decision such as the pumping guard's, which
   * `check` then enforces), recorded with the figures that led to it.
   */
  async block(rule: LimitRule, subject: LimitSubject, figures: { hits: number; limit: number; details: Record<string, unknown> }): Promise<void> {
    await this.limiter(rule).block(subject.key, rule.durationSeconds);
    this.onRefusal?.(rule.name);
    await this.recordBlock({ ...rule, points: figures.limit }, subject, figures.hits, rule.durationSeconds * 1000, figures.details);
  }

  /** Takes a point if one is left, without refusing or recording anything: a gate for periodic work. */
  async tryConsume(rule: LimitRule, key: string): Promise<boolean> {
    try {
      await this.limiter(rule).consume(key, 1);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Resets a key's counter (lifting a block). By rule name: the limiter's storage is keyed by
   * name alone, so this works from another process (the CLI) too when the counters are in Redis.
   */
  async reset(rule: LimitRule | string, key: string): Promise<void> {
    const name = typeof rule === "string" ? rule : rule.name;
    const same = [...this.limiters.entries()].filter(([id]) => id.startsWith(`${name}:`)).map(([, l]) => l);
    if (!same.length) same.push(this.limiter({ name, points: 1, durationSeconds: 1 }));
    for (const limiter of same) await limiter.delete(key);
  }

  /** Redis unreachable: refuse (a refused code is recoverable, unmetered SMS is not), count it and say so. */
  private failClosed(err: unknown, rules: LimitRule[]): never {
    this.onRefusal?.("limiter_unavailable");
    this.log.error({ err, rules: rules.map((r) => r.name) }, "rate limiter unavailable; refusing (fail closed)");
    throw rateLimited(5, "Rate limiting is temporarily unavailable; try again shortly");
  }

  private async recordBlock(rule: LimitRule, subject: LimitSubject, hits: number, msBeforeNext: number, details: Record<string, unknown> = {}): Promise<void> {
    await this.blocks
      .record({
        appId: subject.appId, rule: rule.name, key: subject.key, keyMasked: subject.keyMasked,
        hits, limit: rule.points, blockedUntil: new Date(Date.now() + msBeforeNext),
        details: { windowSeconds: rule.durationSeconds, ...details },
      })
      .catch((err) => this.log.error({ err }, "could not record rate-limit block"));
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
