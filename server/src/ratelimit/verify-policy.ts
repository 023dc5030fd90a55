import { effectiveLimits, type AbuseLimits } from "../abuse/abuse-settings";
import { ipLimitKey, maskIp } from "../abuse/client-ip";
import type { AppEntity } from "../apps/app.entity";
import { maskDestination } from "../verification/destination";
import type { LimitStep } from "./limit-steps";
import type { LimitRule, LimitSubject, RateLimits } from "./rate-limits";

const DAY = 86_400;

/**
 * Budgets of failed verifications that outlive any one verification: per destination (an
 * hourly one, and the daily cap of NIST SP 800-63B 5.2.2, at most 100) and per client IP.
 * A new request for the same number starts with a fresh per-verification attempt count but
 * not with a fresh budget here, so "request, guess five times, request again" gets nowhere.
 *
 * The verify statement itself stays one atomic UPDATE: these budgets are checked before it
 * (refusing RATE_LIMITED when spent) and a wrong code is counted after it. Concurrent guesses
 * can pass the check together and overshoot by the requests in flight; the per-verification
 * attempt count inside the statement is the exact bound, this one is the long-term one.
 */
export class VerifyPolicy {
  constructor(private readonly limits: RateLimits) {}

  /** The caller's IP budget alone: for a code aimed at nothing (NOT_FOUND must not out-talk a spent budget). */
  async checkIp(app: AppEntity, ip: string | null): Promise<void> {
    const rule = ipRule(effectiveLimits(app.settings));
    if (ip && rule) await this.limits.check(rule, ipSubject(app, ip));
  }

  /** Before the statement: the caller's IP budget, then the destination's, in one round trip. */
  async checkBefore(app: AppEntity, ip: string | null, destination: string): Promise<void> {
    const l = effectiveLimits(app.settings);
    const steps: LimitStep[] = [];
    const rule = ipRule(l);
    if (ip && rule) steps.push({ op: "check", rule, subject: ipSubject(app, ip) });
    for (const r of destinationRules(l)) steps.push({ op: "check", rule: r, subject: destinationSubject(app, destination) });
    await this.limits.runInOrder(steps);
  }

  /** After a wrong code: one point off every budget it touches (sent together: they are independent). */
  async failed(app: AppEntity, destination: string, ip: string | null): Promise<void> {
    const l = effectiveLimits(app.settings);
    const penalties = destinationRules(l).map((rule) => this.limits.penalize(rule, destinationSubject(app, destination)));
    const rule = ipRule(l);
    if (ip && rule) penalties.push(this.limits.penalize(rule, ipSubject(app, ip)));
    await Promise.all(penalties);
  }

  /**
   * After the right code: the destination's failures were not consecutive after all (NIST
   * counts consecutive failures), so its budgets start over. Only someone holding the code can
   * do this; the IP budget is left alone, or an attacker could clear it with their own number.
   */
  async approved(app: AppEntity, destination: string): Promise<void> {
    await Promise.all(destinationRules(effectiveLimits(app.settings)).map((rule) => this.limits.reset(rule, destinationSubject(app, destination).key)));
  }
}

function destinationRules(l: AbuseLimits): LimitRule[] {
  const rules: LimitRule[] = [{ name: "verify_failures_per_destination_day", points: l.verifyFailuresPerDestinationPerDay, durationSeconds: DAY }];
  if (l.verifyFailuresPerDestination) {
    rules.unshift({ name: "verify_failures_per_destination", points: l.verifyFailuresPerDestination.max, durationSeconds: l.verifyFailuresPerDestination.windowSeconds });
  }
  return rules;
}

function ipRule(l: AbuseLimits): LimitRule | null {
  return l.verifyFailuresPerIp ? { name: "verify_failures_per_ip", points: l.verifyFailuresPerIp.max, durationSeconds: l.verifyFailuresPerIp.windowSeconds } : null;
}

const destinationSubject = (app: AppEntity, destination: string): LimitSubject => ({ appId: app.id, key: `${app.id}:${destination}`, keyMasked: maskDestination(destination) });
const ipSubject = (app: AppEntity, ip: string): LimitSubject => ({ appId: app.id, key: `${app.id}:${ipLimitKey(ip)}`, keyMasked: maskIp(ip) });
