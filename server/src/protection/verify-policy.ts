import { effectiveLimits, type AbuseLimits } from "./abuse-settings";
import { ipLimitKey, maskIp } from "./client-ip";
import type { AppEntity } from "../apps/app.entity";
import { maskDestination } from "../verification/destination";
import type { LimitStep } from "./limit-steps";
import type { LimitWriteRetry } from "./limit-write-retry";
import type { LimitRule, LimitSubject, RateLimits } from "./rate-limits";

const DAY = 86_400;

/** One budget a verify touches: the rule and the key it counts under. */
interface Budget { rule: LimitRule; subject: LimitSubject }

/**
 * Budgets of failed verifications that outlive any one verification:
 * - per client IP (across destinations): every failed probe counts, a wrong code as much as a
 *   code aimed at nothing (NOT_FOUND) or at a closed verification, so probing is never free;
 * - per (destination, client IP): the hourly budget that stops one caller guessing at one
 *   number. Keyed on the IP too, so an attacker who burns it locks out themselves, not the
 *   number's owner signing in from elsewhere;
 * - per destination from every IP: a larger hourly cap, and the daily cap of NIST SP 800-63B
 *   5.2.2 (at most 100), the bound no rotation of addresses gets past.
 * A new request for the same number starts with a fresh per-verification attempt count but
 * not with a fresh budget here, so "request, guess five times, request again" gets nowhere.
 *
 * When the caller names a destination, the destination's budgets are checked and charged
 * whether or not it has a live code: a number with a code and one without spend the same
 * budgets and are refused at the same point, so the limits are no oracle.
 *
 * The verify statement itself stays one atomic UPDATE: these budgets are checked before it
 * (refusing RATE_LIMITED when spent) and a failure is counted after it. Concurrent guesses
 * can pass the check together and overshoot by the requests in flight; the per-verification
 * attempt count inside the statement is the exact bound, this one is the long-term one.
 *
 * What happens after the statement (`failed`, `approved`) never throws: the outcome is
 * committed, so a limiter failing then must not change the answer; the writes are retried
 * until it is back (LimitWriteRetry), each on its own, so a write made once is not made twice.
 */
export class VerifyPolicy {
  constructor(private readonly limits: RateLimits, private readonly writes: LimitWriteRetry) {}

  /** Before the statement: every budget the attempt touches, in one round trip; the first spent one refuses. */
  async check(app: AppEntity, ip: string | null, destination: string | null): Promise<void> {
    const steps: LimitStep[] = budgets(app, ip, destination).map((b) => ({ op: "check", ...b }));
    await this.limits.runInOrder(steps);
  }

  /**
   * After a failed attempt (wrong code, nothing to verify, or a closed verification): one point
   * off every budget it touches, sent together (they are independent). `destination` is null
   * when the caller named none that is known (an unknown id): then the IP alone pays.
   */
  async failed(app: AppEntity, ip: string | null, destination: string | null): Promise<void> {
    await Promise.all(budgets(app, ip, destination).map((b) => this.writes.run(b.rule.name, () => this.limits.penalize(b.rule, b.subject))));
  }

  /**
   * After the right code: the destination's failures were not consecutive after all (NIST
   * counts consecutive failures), so its budgets from this IP and from all IPs start over.
   * Only someone holding the code can do this. The IP's own budget is left alone (or an
   * attacker could clear it with their own number), and so are other IPs' budgets for the
   * destination: an attacker's spent budget stays spent when the owner signs in.
   */
  async approved(app: AppEntity, ip: string | null, destination: string): Promise<void> {
    // One write (a DEL of every key) rather than one per budget: a DEL made twice is harmless, so retried together.
    const owned = budgets(app, ip, destination).filter((b) => b.rule.name !== IP_RULE).map((b) => ({ rule: b.rule, key: b.subject.key }));
    await this.writes.run("verify budgets reset", () => this.limits.resetAll(owned));
  }
}

const IP_RULE = "verify_failures_per_ip";

function budgets(app: AppEntity, ip: string | null, destination: string | null): Budget[] {
  const l = effectiveLimits(app.settings);
  const out: Budget[] = [];
  const ipOf = ip ? { key: ipLimitKey(ip), masked: maskIp(ip) } : null;
  if (ipOf && l.verifyFailuresPerIp) out.push({ rule: windowRule(IP_RULE, l.verifyFailuresPerIp), subject: subject(app, [ipOf.key], ipOf.masked) });
  if (destination === null) return out;
  const masked = maskDestination(destination);
  if (l.verifyFailuresPerDestination) {
    // Without an IP (none known) the pair degrades to the destination alone.
    const key = ipOf ? [destination, ipOf.key] : [destination];
    out.push({ rule: windowRule("verify_failures_per_destination", l.verifyFailuresPerDestination), subject: subject(app, key, ipOf ? `${masked} from ${ipOf.masked}` : masked) });
  }
  for (const rule of destinationRules(l)) out.push({ rule, subject: subject(app, [destination], masked) });
  return out;
}

/**
 * At a send: the destination's budgets of wrong codes from every IP (hourly, and the NIST daily
 * cap), checked, never counted. Wrong codes spend them only when aimed at a live verification of
 * the number, so only someone who made the app send the owner codes can; what they stop is new
 * codes to that number, never a code its owner already holds (verify by id is judged by its own
 * attempt count). Without this gate a guesser could request code after code and try each.
 */
export function destinationFailureGate(app: AppEntity, l: AbuseLimits, destination: string): LimitStep[] {
  const masked = maskDestination(destination);
  return destinationRules(l).map((rule) => ({ op: "check", rule, subject: subject(app, [destination], masked) }));
}

/** The budgets of a destination from every IP: the larger hourly cap, then the NIST daily one. */
function destinationRules(l: AbuseLimits): LimitRule[] {
  const rules: LimitRule[] = [];
  if (l.verifyFailuresPerDestinationAllIps) rules.push(windowRule("verify_failures_per_destination_all_ips", l.verifyFailuresPerDestinationAllIps));
  rules.push({ name: "verify_failures_per_destination_day", points: l.verifyFailuresPerDestinationPerDay, durationSeconds: DAY });
  return rules;
}

/**
 * The limiter keys a verify for `destination` from `ip` counts under (per IP, per destination
 * and IP, per destination): for finding its blocks again (the dashboard's timeline).
 */
export function verifyLimitKeys(appId: string, destination: string, ip: string | null): string[] {
  const keys = [[appId, destination].join(":")];
  if (ip) keys.push([appId, ipLimitKey(ip)].join(":"), [appId, destination, ipLimitKey(ip)].join(":"));
  return keys;
}

const windowRule = (name: string, w: { max: number; windowSeconds: number }): LimitRule => ({ name, points: w.max, durationSeconds: w.windowSeconds });
const subject = (app: AppEntity, parts: string[], keyMasked: string): LimitSubject => ({ appId: app.id, key: [app.id, ...parts].join(":"), keyMasked });
