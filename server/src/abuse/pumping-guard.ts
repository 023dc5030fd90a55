import type { DataSource } from "typeorm";
import { prepared } from "../db/prepared";
import type { AppEntity } from "../apps/app.entity";
import { rateLimited } from "../errors";
import type { BlockStore } from "../ratelimit/block-store";
import type { LimitStep } from "../ratelimit/limit-steps";
import type { LimitRule, LimitSubject, RateLimits } from "../ratelimit/rate-limits";
import type { Destination } from "../verification/destination";
import type { PumpingThresholds } from "./abuse-settings";
import { maskPrefix, numberPrefix } from "./number-policy";

type Level = "prefix" | "country";

export interface ConversionFigures { sends: number; approved: number }

/**
 * The figures query as two select-list expressions (sends, approved), for a statement of its
 * own or folded into the request's INSERT. `when` switches it off without changing the text.
 */
export function conversionFiguresSql(level: Level, app: string, value: string, windowSeconds: string, keyHash: string, when: string): string {
  const match = level === "prefix" ? `channel IN ('SMS', 'VOICE') AND left(destination, -4) = ${value}` : `destination_country = ${value}`;
  return `coalesce(sum(send_count), 0)::int AS sends, count(*) FILTER (WHERE status = 'APPROVED')::int AS approved
         FROM verifications
        WHERE ${when} AND app_id = ${app} AND ${match}
          AND created_at > greatest(now() - make_interval(secs => ${windowSeconds}),
                (SELECT coalesce(max(lifted_at), '-infinity') FROM rate_limit_blocks WHERE key_hash = ${keyHash} AND rule = 'pumping_${level}'))
          AND (status <> 'PENDING' OR expires_at <= now())`;
}

/** A prefix judgement left to the caller's statement (see VerificationService.request). */
export interface DeferredJudgement { planned: PumpingPlan["levels"][number]; keyHash: string }

export interface PumpingPlan {
  steps: LimitStep[];
  levels: Array<{ level: Level; value: string; rule: LimitRule; subject: LimitSubject; thresholds: PumpingThresholds; gated: boolean }>;
}

/**
 * The SMS-pumping guard. Pumpers request codes for numbers they are paid to terminate traffic
 * on, and never type a code back: what gives them away is conversion, codes approved ÷ codes
 * sent, for a number prefix (or a whole country) of one app. When a prefix has sent at least
 * `minSends` in the window and converts below `minConversion`, it is blocked for
 * `blockSeconds`, and the block is recorded with the figures that caused it.
 *
 * The figures are SQL over the verification rows we already keep, not Redis counters: the
 * rows are the source of truth (approvals are recorded there atomically), the window slides
 * exactly, nothing extra is written on the hot path, and a lift can simply restart the count
 * from its own time. Only settled verifications count (approved, or closed without approval,
 * or past expiry): a burst of fresh requests whose users are still typing is not evidence.
 * Prefix counts are an indexed range over a few rows; country counts can be large, so they
 * are judged at most every `evaluateEverySeconds`. The block itself lives in the limiter (Redis
 * when configured), checked before each send with the other limits in one round trip; the
 * judging query runs after them, so a send refused by it has spent its send counters.
 */
export class PumpingGuard {
  constructor(
    private readonly ds: DataSource,
    private readonly limits: RateLimits,
    private readonly blocks: BlockStore,
  ) {}

  /**
   * The guard's Redis steps for one send, to run with the other limits (RateLimits.runInOrder):
   * each level's block check, and, for a level judged at most every N seconds, its gate.
   */
  plan(app: AppEntity, dest: Destination, thresholds: Record<Level, PumpingThresholds | null>): PumpingPlan {
    const plan: PumpingPlan = { steps: [], levels: [] };
    if (dest.kind !== "phone") return plan;
    const prefix = numberPrefix(dest.value);
    const levels: Array<{ level: Level; value: string | null; masked: string }> = [
      { level: "prefix", value: prefix, masked: maskPrefix(prefix) },
      { level: "country", value: dest.country, masked: dest.country ?? "" },
    ];
    for (const { level, value, masked } of levels) {
      const t = thresholds[level];
      if (!t || !value) continue;
      const rule = { name: `pumping_${level}`, points: 1, durationSeconds: t.blockSeconds };
      const subject = { appId: app.id, key: `${app.id}:${value}`, keyMasked: masked };
      plan.steps.push({ op: "check", rule, subject });
      const gated = t.evaluateEverySeconds > 0;
      if (gated) plan.steps.push({ op: "due", rule: { name: `pumping_${level}_evaluated`, points: 1, durationSeconds: t.evaluateEverySeconds }, key: subject.key });
      plan.levels.push({ level, value, rule, subject, thresholds: t, gated });
    }
    return plan;
  }

  /**
   * After the plan's steps let the send through: judges each level that is due (`due` holds the
   * gates' answers in order) and blocks the key, refusing this send, when it converts too little.
   */
  async judge(app: AppEntity, plan: PumpingPlan, due: boolean[], deferPrefix = false): Promise<DeferredJudgement | null> {
    let gate = 0;
    let deferred: DeferredJudgement | null = null;
    for (const planned of plan.levels) {
      const { level, value, subject, thresholds: t, gated } = planned;
      if (gated && !due[gate++]) continue;
      if (deferPrefix && level === "prefix" && !gated) {
        // Judged on every send: the caller folds this query into its INSERT (one round trip, not two).
        deferred = { planned, keyHash: this.blocks.keyHash(subject.key) };
        continue;
      }
      await this.verdict(planned, await this.figures(app.id, level, value, subject.key, t.windowSeconds));
    }
    return deferred;
  }

  /** Blocks the key and refuses the send when the figures show too little conversion. */
  async verdict(planned: PumpingPlan["levels"][number], f: ConversionFigures): Promise<void> {
    const { level, rule, subject, thresholds: t } = planned;
    if (f.sends >= t.minSends && f.approved / f.sends < t.minConversion) {
      await this.limits.block(rule, subject, {
        hits: f.sends,
        limit: t.minSends,
        details: {
          level, sends: f.sends, approved: f.approved, conversion: Math.round((f.approved / f.sends) * 1000) / 1000,
          minConversion: t.minConversion, windowSeconds: t.windowSeconds, blockSeconds: t.blockSeconds,
        },
      });
      throw rateLimited(t.blockSeconds);
    }
  }

  /** Sends and approvals of settled verifications to a prefix or country, in the window and since the last lift. */
  figures(appId: string, level: Level, value: string, limiterKey: string, windowSeconds: number): Promise<ConversionFigures> {
    return prepared(this.ds)
      .query(`SELECT ${conversionFiguresSql(level, "$1", "$2", "$3", "$4", "TRUE")}`, [appId, value, windowSeconds, this.blocks.keyHash(limiterKey)])
      .then(([row]) => ({ sends: row.sends, approved: row.approved }));
  }
}
