import { createHash } from "node:crypto";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Logger } from "pino";
import { rateLimited } from "../errors";
import type { BlockStore } from "./block-store";
import type { RedisClient } from "../redis";
import { OP_CODES, ORDERED_LIMITS_LUA, type LimitRule, type LimitStep, type LimitSubject } from "./limit-steps";

export type { LimitRule, LimitSubject };
import { PUMP_APPROVE_LUA, PUMP_LIFT_LUA } from "./pump-lua";
import { PumpMemory } from "./pump-memory";
import { FIGURE_COUNT, figuresFromReply, pumpKeys, pumpProofKey, pumpScriptArgs, pumpStatsKey, SCOPES, type PumpLevel } from "./pump-step";

const ORDERED_LIMITS_SHA = createHash("sha1").update(ORDERED_LIMITS_LUA).digest("hex");
const PUMP_APPROVE_SHA = createHash("sha1").update(PUMP_APPROVE_LUA).digest("hex");


/** An approval as the pumping budgets take it (see pumpApproved). */
export interface PumpApproval {
  appId: string;
  levels: Array<{ level: PumpLevel; value: string }>;
  country: string | null;
  /** When the verification's first send was counted, and now, by the guard's clock (ms). */
  firstSendAt: number;
  now: number;
  sends: number;
}

/** How a pump step is named when the limiter is unreachable (metrics, logs). */
const PUMP_RULE: LimitRule = { name: "pumping", points: 0, durationSeconds: 0 };

/**
 * Counts against named rules atomically, in Redis when configured (shared by every process)
 * or in memory for a single-process install. A refusal is RATE_LIMITED with retryAfter and is
 * stored as a block the first time a key goes over. When Redis is unreachable, sends fail
 * closed: refusing a code is recoverable, sending unmetered SMS is not.
 */
export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly pumpMemory = new PumpMemory();
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
    if (!this.redis) return this.runInMemory(steps);
    // The library's own key layout, so its get/penalty/block/delete meet what the script counted.
    const keys: string[] = [];
    const args: string[] = [];
    for (const s of steps) {
      if (s.op === "pump") {
        const p = pumpScriptArgs(this.prefix, s.pump);
        keys.push(...p.keys);
        args.push(...p.args);
      } else {
        keys.push(this.limiter(s.rule).getKey(s.op === "due" ? s.key : s.subject.key));
        args.push(OP_CODES[s.op], String(s.rule.points), String(s.rule.durationSeconds));
      }
    }
    let reply: number[];
    try {
      reply = (await this.evalOrdered(keys, args)) as number[];
    } catch (err) {
      this.failClosed(err, steps.map((s) => (s.op === "pump" ? PUMP_RULE : s.rule)));
    }
    const [index, consumed, msBeforeNext, ...rest] = reply.map(Number);
    if (index > 0) {
      const step = steps[index - 1] as Exclude<LimitStep, { op: "due" }>;
      if (step.op === "pump") {
        // rest: the verdict {level, state (1: new block), ttl, figures...}
        const figures = figuresFromReply(rest, false);
        this.onRefusal?.(`pumping_${figures.level}`);
        if (rest[1] === 1) await step.pump.onBlock(figures);
        throw rateLimited(msBeforeNext / 1000);
      }
      this.onRefusal?.(step.rule.name);
      // First refusal of this window (a consume just went over): one stored block, as in `consume`.
      if (step.op === "consume" && consumed - 1 <= step.rule.points) await this.recordBlock(step.rule, step.subject, consumed, msBeforeNext);
      throw rateLimited(msBeforeNext / 1000);
    }
    const [scope, ...shadow] = rest.slice(0, FIGURE_COUNT + 1);
    const pump = steps.find((s) => s.op === "pump");
    if (pump?.op === "pump") {
      pump.pump.scope = SCOPES[scope] ?? null;
      if (shadow[1] === 1) await pump.pump.onBlock(figuresFromReply(shadow, true));
    }
    return rest.slice(FIGURE_COUNT + 1).map((d) => d === 1);
  }

  /** The same steps without Redis: rate-limiter-flexible's memory limiters and the pump's memory twin. */
  private async runInMemory(steps: LimitStep[]): Promise<boolean[]> {
    const due: boolean[] = [];
    let undo: (() => void) | null = null;
    let after: (() => Promise<void>) | null = null;
    for (const step of steps) {
      if (step.op === "consume") await this.consume(step.rule, step.subject).catch((e) => { undo?.(); throw e; });
      else if (step.op === "check") await this.check(step.rule, step.subject).catch((e) => { undo?.(); throw e; });
      else if (step.op === "due") due.push(await this.tryConsume(step.rule, step.key));
      else {
        const j = this.pumpMemory.judge(step.pump);
        if (j.refused) {
          this.onRefusal?.(`pumping_${j.figures.level}`);
          if (j.isNew) await step.pump.onBlock(j.figures);
          throw rateLimited(j.ttlMs / 1000);
        }
        undo = j.undo;
        step.pump.scope = j.scope;
        const shadow = j.shadowBlock;
        if (shadow) after = () => step.pump.onBlock(shadow);
      }
    }
    await after?.();
    return due;
  }

  /**
   * An approval: its sends move from unverified to verified on the levels they were counted on
   * (PumpScope), join the app's record, and give the country a history. Times are the guard's clock.
   */
  async pumpApproved(a: PumpApproval): Promise<void> {
    const minute = Math.floor(a.firstSendAt / 60_000);
    if (!this.redis) return this.pumpMemory.approve(a.appId, a.levels, a.country, minute, a.sends, a.now);
    const keys = a.levels.map((l) => pumpKeys(this.prefix, l.level, a.appId, l.value, false).counts);
    keys.push(pumpStatsKey(this.prefix, a.appId));
    if (a.country) keys.push(pumpProofKey(this.prefix, a.appId, a.country));
    await this.evalCached(PUMP_APPROVE_LUA, PUMP_APPROVE_SHA, keys, [String(minute), String(a.sends), String(a.now), String(a.levels.length)]);
  }

  /** Lifting a pumping block: the block, its escalation and the unverified sends behind it are gone. */
  async pumpLift(level: PumpLevel, appId: string, value: string, shadow: boolean): Promise<void> {
    if (!this.redis) return this.pumpMemory.lift(level, appId, value, shadow);
    const k = pumpKeys(this.prefix, level, appId, value, shadow);
    await this.redis.eval(PUMP_LIFT_LUA, { keys: [k.block, k.escalation, k.counts], arguments: [] });
  }

  private async evalOrdered(keys: string[], args: string[]): Promise<unknown> {
    if (!this.redis!.isReady) throw new Error("redis is not connected");
    return this.evalCached(ORDERED_LIMITS_LUA, ORDERED_LIMITS_SHA, keys, args);
  }

  /** A script by its hash (the script's text is sent only when Redis has not seen it yet: NOSCRIPT). */
  private async evalCached(lua: string, sha: string, keys: string[], args: string[]): Promise<unknown> {
    const redis = this.redis!;
    try {
      return await redis.evalSha(sha, { keys, arguments: args });
    } catch (err) {
      if (!String((err as Error).message).startsWith("NOSCRIPT")) throw err;
      return redis.eval(lua, { keys, arguments: args });
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
   * Throws when the limiter is unreachable, so the caller can keep the point for later
   * (LimitWriteRetry) instead of losing it.
   */
  async penalize(rule: LimitRule, subject: LimitSubject): Promise<void> {
    const res = await this.limiter(rule).penalty(subject.key, 1);
    if (res.consumedPoints === rule.points) await this.recordBlock(rule, subject, res.consumedPoints, res.msBeforeNext);
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

  /**
   * Several `reset`s as one write: with Redis one DEL of every key (the limiter's key depends on
   * the rule's name alone, whatever its points), in memory each `reset` in turn.
   */
  async resetAll(resets: Array<{ rule: LimitRule; key: string }>): Promise<void> {
    if (!resets.length) return;
    if (!this.redis) {
      for (const r of resets) await this.reset(r.rule, r.key);
      return;
    }
    await this.redis.del(resets.map((r) => this.limiter(r.rule).getKey(r.key)));
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
