import { effectiveLimits } from "../protection/abuse-settings";
import { ipLimitKey, maskIp } from "../protection/client-ip";
import type { AppEntity } from "../apps/app.entity";
import type { LimitWriteRetry } from "../protection/limit-write-retry";
import type { LimitRule, LimitSubject, RateLimits } from "../protection/rate-limits";

const DAY = 86_400;

/**
 * The failure budgets of a TOTP factor, counted by the same limiter as verifyOtp's: per factor
 * and client IP (so someone guessing from one network can't lock the user out everywhere),
 * and per factor alone the NIST SP 800-63B daily cap (the app's verifyFailuresPerDestinationPerDay,
 * at most 100), which no rotation of addresses gets past.
 *
 * Unlike verifyOtp's (checked before, charged after), a try is charged *before* its code is
 * checked, atomically: the limiter's consume is the exact bound, so 30 concurrent wrong codes
 * spend exactly the budget and the rest are refused unchecked. A factor has no per-verification
 * attempt count to fall back on. The right code hands the points back (`approved`).
 */
export class TotpPolicy {
  constructor(private readonly limits: RateLimits, private readonly writes: LimitWriteRetry) {}

  /**
   * Charges one try against each factor the code will be checked against; RATE_LIMITED (with
   * retryAfter) when a budget is spent. Answers what is left of the tightest budget.
   */
  async charge(app: AppEntity, factorIds: string[], ip: string | null): Promise<number> {
    let left = Infinity;
    for (const id of factorIds) {
      const { perIp, daily } = this.rules(app);
      left = Math.min(left, await this.limits.consume(perIp, factorIpSubject(app, id, ip)));
      left = Math.min(left, await this.limits.consume(daily, factorSubject(app, id)));
    }
    return left === Infinity ? 0 : left;
  }

  /**
   * The right code: NIST counts consecutive failures, so the factors start over (from this IP;
   * the daily count too). Answers the fresh budget. The step is already consumed, so a limiter
   * failing now is retried (LimitWriteRetry) rather than costing the caller their token.
   */
  async approved(app: AppEntity, factorIds: string[], ip: string | null): Promise<number> {
    const { perIp, daily } = this.rules(app);
    await Promise.all(factorIds.flatMap((id) => [
      this.writes.run(`${perIp.name} reset`, () => this.limits.reset(perIp, factorIpSubject(app, id, ip).key)),
      this.writes.run(`${daily.name} reset`, () => this.limits.reset(daily, factorSubject(app, id).key)),
    ]));
    return Math.min(perIp.points, daily.points);
  }

  /** The app's `limits.totpFailuresPerFactor` (default 5 per 15 minutes) and its NIST daily cap. */
  private rules(app: AppEntity): { perIp: LimitRule; daily: LimitRule } {
    const l = effectiveLimits(app.settings);
    return {
      perIp: { name: "totp_failures_per_factor", points: l.totpFailuresPerFactor.max, durationSeconds: l.totpFailuresPerFactor.windowSeconds },
      daily: { name: "totp_failures_per_factor_day", points: l.verifyFailuresPerDestinationPerDay, durationSeconds: DAY },
    };
  }
}

/** The limiter keys of a factor (its daily cap; its budget from one client IP), also read by the dashboard's timeline. Keys carry the app, so a block and a reset stay within one app. */
export const factorLimitKey = (appId: string, id: string) => `${appId}:${id}`;
export const factorIpLimitKey = (appId: string, id: string, ip: string | null) => `${appId}:${id}:${ip ? ipLimitKey(ip) : "-"}`;

const factorSubject = (app: AppEntity, id: string): LimitSubject => ({ appId: app.id, key: factorLimitKey(app.id, id), keyMasked: `factor ${id}` });
const factorIpSubject = (app: AppEntity, id: string, ip: string | null): LimitSubject => ({
  appId: app.id,
  key: factorIpLimitKey(app.id, id, ip),
  keyMasked: `factor ${id} from ${ip ? maskIp(ip) : "unknown"}`,
});
