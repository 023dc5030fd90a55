import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { AppEntity } from "../apps/app.entity";
import type { Destination } from "../verification/destination";
import type { PumpingSettings } from "./abuse-settings";
import type { BlockStore } from "./block-store";
import { WALL_CLOCK, type ProtectionClock } from "./clock";
import type { LimitWriteRetry } from "./limit-write-retry";
import { maskPrefix, numberPrefix } from "./number-policy";
import {
  levelValue, PUMP_HISTORY_SECONDS, PUMP_WINDOW_SECONDS,
  type PumpBudget, type PumpFigures, type PumpLevel, type PumpScope, type PumpStep,
} from "./pump-step";
import type { RateLimits } from "./rate-limits";
import { riskFactors, type RowFigures } from "./risk-factors";

/** A verification as the approval step needs it. */
export interface ApprovedSend { appId: string; destination: string; destinationCountry: string | null; pumpingScope: PumpScope; createdAt: Date; sendCount: number }

/** How a level's block names what it covers, for people (never more of a number than its prefix mask shows). */
const TERRITORY_TEXT: Partial<Record<PumpLevel, string>> = {
  unproven: "numbers in countries with no verified code yet",
  app: "numbers in prefixes with no verified code yet (all countries)",
};

/**
 * The SMS-pumping guard. Pumpers request codes for numbers whose traffic pays them, from
 * rotating IPs, and never type a code back; real users verify, most within a minute. So the guard
 * judges conversion (pump-step.ts has the model): per number prefix, per country (its known and
 * its fresh prefixes apart), for the app's unproven territory and for all its fresh traffic,
 * unconverted sends — with the open ones weighed by what that scope converts — may reach a floor
 * plus the app's abandonment ratio times what the scope has proven. A launch earns room as its
 * users verify, and each of them vouches for three codes sent before them (still being typed)
 * for two minutes; a rotation through prefixes, countries or channels meets one floor it cannot
 * multiply, and an attack is vouched for only by real users who verify while its codes are open.
 *
 * Whom it stops: sends to a scope whose codes go unverified beyond its record — while it lasts,
 * new users in that prefix (hard block, escalating), that country's fresh or known prefixes
 * (hard), or every new user of fresh prefixes (soft: refused only while over, back as soon as
 * conversions make room). Never users on proven prefixes of other countries.
 * Who can spend it: anyone who can make the app send codes that nobody verifies — an attacker
 * through the app's sign-up, or the app's own abandoned codes; never by verifying wrong codes.
 *
 * The counting is one step of the ordered limits script (one Redis round trip with the other
 * limits; in memory without Redis); what this class adds is the policy and what a block records:
 * the figures, the rows' own view of them (numbers, IPs) and the risk factors.
 */
export class PumpingGuard {
  constructor(
    private readonly ds: DataSource,
    private readonly limits: RateLimits,
    private readonly blocks: BlockStore,
    private readonly log: Logger,
    private readonly writes: LimitWriteRetry,
    private readonly clock: ProtectionClock = WALL_CLOCK,
  ) {}

  /** The send's pump step, or null when the guard has nothing to judge (not a phone, every level off). */
  step(app: AppEntity, dest: Destination, s: PumpingSettings): PumpStep | null {
    const where = { prefix: dest.kind === "phone" ? numberPrefix(dest.value) : "", country: dest.country };
    return pumpStep(app, dest, s, this.clock.now(), (f) => this.record(app, f, levelValue(f.level, where), s));
  }

  /** After an approval: the verification's sends count as proven on the levels they were counted on. */
  async approved(v: ApprovedSend): Promise<void> {
    if (!v.pumpingScope) return;
    const levels = approvalLevels(v.pumpingScope, v.destination, v.destinationCountry);
    const approval = {
      appId: v.appId, levels, country: v.destinationCountry, sends: v.sendCount,
      firstSendAt: this.clock.at(new Date(v.createdAt).getTime()), now: this.clock.now(),
    };
    // The code was right and is consumed: a limiter failing now is retried, not the answer's concern.
    await this.writes.run("pumping approval", () => this.limits.pumpApproved(approval));
  }

  /** Lifting a pumping block (BlockService): frees the key and resets its escalation. */
  async lift(rule: string, limiterKey: string, shadow: boolean): Promise<void> {
    const level = rule.slice("pumping_".length) as PumpLevel;
    const cut = limiterKey.indexOf(":");
    await this.limits.pumpLift(level, limiterKey.slice(0, cut), limiterKey.slice(cut + 1), shadow);
  }

  private async record(app: AppEntity, f: PumpFigures, value: string, s: PumpingSettings): Promise<void> {
    const rows = await this.rowFigures(app.id, f.level, value).catch((err) => {
      this.log.error({ err }, "could not read the rows behind a pumping block");
      return null;
    });
    const budget = budgetOf(s, f.level)!;
    const details = {
      level: f.level, mode: s.mode, shadow: f.shadow, soft: f.escalationStep === 0,
      unverified: f.unverified, inFlight: f.inFlight, unconverted: f.unconverted, weight: f.weight, vouched: f.vouched,
      sends: f.sends, verified: f.verified, budget: f.budget, floor: budget.floor, ratio: f.ratio,
      windowSeconds: PUMP_WINDOW_SECONDS, historySeconds: PUMP_HISTORY_SECONDS,
      escalationStep: f.escalationStep, blockSeconds: f.blockSeconds, ladder: s.blockSeconds,
      ...(rows ?? {}),
      riskFactors: riskFactors(f, rows),
    };
    const keyMasked = f.level === "prefix" ? maskPrefix(value) : (TERRITORY_TEXT[f.level] ?? value);
    await this.blocks
      .record({
        appId: app.id, rule: `pumping_${f.level}`, key: `${app.id}:${value}`, keyMasked,
        hits: f.unverified, limit: f.budget, blockedUntil: new Date(Date.now() + f.blockSeconds * 1000), shadow: f.shadow, details,
      })
      .catch((err) => this.log.error({ err }, "could not record a pumping block"));
  }

  /**
   * The rows' own view of the last hour (refusal path only, over the prefix and country indexes):
   * how many distinct numbers, client IPs and prefixes (and countries) the sends went to.
   */
  private async rowFigures(appId: string, level: PumpLevel, value: string): Promise<RowFigures> {
    const match = {
      prefix: `channel <> 'EMAIL' AND left(destination, -4) = $2`,
      country: `destination_country = $2 AND pumping_scope = 'fresh'`,
      country_known: `destination_country = $2 AND pumping_scope = 'known'`,
      unproven: `pumping_scope = 'unproven' AND $2::text IS NOT NULL`,
      app: `pumping_scope IN ('fresh', 'unproven') AND $2::text IS NOT NULL`,
    }[level];
    const [r] = await this.ds.query(
      `SELECT count(*)::int AS requests, count(DISTINCT destination)::int AS numbers, count(DISTINCT client_ip)::int AS ips,
              count(DISTINCT left(destination, -4))::int AS prefixes, count(DISTINCT destination_country)::int AS countries
         FROM verifications
        WHERE app_id = $1 AND ${match} AND created_at > now() - make_interval(secs => $3)`,
      [appId, value, PUMP_WINDOW_SECONDS],
    );
    return { requestsLastHour: r.requests, distinctNumbers: r.numbers, distinctIps: r.ips, distinctPrefixes: r.prefixes, distinctCountries: r.countries };
  }
}

/**
 * A send's pump step on the clock `now` (ms): the guard's for a live send, the replay's
 * (protection/replay.ts) for a recorded one on its created_at.
 */
export function pumpStep(app: Pick<AppEntity, "id" | "ttlSeconds">, dest: Destination, s: PumpingSettings, now: number, onBlock: PumpStep["onBlock"]): PumpStep | null {
  if (dest.kind !== "phone") return null;
  const budgets: Record<PumpLevel, PumpBudget | null> = { prefix: s.prefix, country: s.country, country_known: s.country, unproven: s.unproven, app: s.app };
  if (!Object.values(budgets).some(Boolean)) return null;
  return {
    appId: app.id, prefix: numberPrefix(dest.value), country: dest.country, budgets,
    enforce: s.mode !== "record_only",
    ladder: s.blockSeconds,
    windowMinutes: Math.max(1, Math.ceil(Math.min(app.ttlSeconds, PUMP_WINDOW_SECONDS) / 60)),
    now,
    onBlock,
  };
}

/** The levels an approval moves from unverified to proven, by the scope its send was counted on. */
export function approvalLevels(scope: Exclude<PumpScope, null>, destination: string, country: string | null): Array<{ level: PumpLevel; value: string }> {
  const c = country ?? "-";
  const prefix = { level: "prefix" as const, value: numberPrefix(destination) };
  return {
    prefix: [prefix],
    known: [prefix, { level: "country_known" as const, value: c }],
    fresh: [prefix, { level: "country" as const, value: c }, { level: "app" as const, value: "-" }],
    unproven: [prefix, { level: "unproven" as const, value: "-" }, { level: "app" as const, value: "-" }],
  }[scope];
}

const budgetOf = (s: PumpingSettings, level: PumpLevel): PumpBudget | null =>
  s[level === "country_known" ? "country" : level];
