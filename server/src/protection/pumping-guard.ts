import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { LimitWriteRetry } from "./limit-write-retry";
import type { AppEntity } from "../apps/app.entity";
import type { BlockStore } from "./block-store";
import type { RateLimits } from "./rate-limits";
import { PUMP_HISTORY_SECONDS, PUMP_WINDOW_SECONDS, type PumpFigures, type PumpLevel, type PumpScope, type PumpStep } from "./pump-step";
import type { Destination } from "../verification/destination";
import type { PumpingSettings } from "./abuse-settings";
import { maskPrefix, numberPrefix } from "./number-policy";
import { riskFactors, type RowFigures } from "./risk-factors";

/** A verification as the approval step needs it. */
export interface ApprovedSend { appId: string; destination: string; destinationCountry: string | null; pumpingScope: PumpScope; createdAt: Date; sendCount: number }

/**
 * The SMS-pumping guard. Pumpers request codes for numbers whose traffic pays them, from
 * rotating IPs, and never type a code back; real users verify within a minute. So the guard
 * counts, per app, the sends that have not (yet) been verified — per number prefix (the number
 * without its last four digits), and per country for prefixes that have no history — over the
 * last hour, and lets them reach max(floor, share × verified sends in the last 24 h): unproven
 * traffic gets a small allowance that real users refill by verifying, proven traffic room in
 * proportion to its record. An approval moves its send from unverified to verified (`approved`).
 *
 * It judges at the moment of the send, not when codes expire, so a fast attack is refused
 * within its first floor of sends. The counting is one step of the ordered limits script (one
 * Redis round trip with the other limits; in memory without Redis); what this class adds is the
 * policy and what a block records: the figures, the rows' own view of them (numbers, IPs) and
 * the risk factors, through BlockStore.record like every other block.
 */
export class PumpingGuard {
  constructor(
    private readonly ds: DataSource,
    private readonly limits: RateLimits,
    private readonly blocks: BlockStore,
    private readonly log: Logger,
    private readonly writes: LimitWriteRetry,
  ) {}

  /** The send's pump step, or null when the guard has nothing to judge (not a phone, both levels off). */
  step(app: AppEntity, dest: Destination, s: PumpingSettings): PumpStep | null {
    if (dest.kind !== "phone" || (!s.prefix && !s.country)) return null;
    const prefix = numberPrefix(dest.value);
    const step: PumpStep = {
      appId: app.id,
      prefix: s.prefix ? { value: prefix, budget: s.prefix } : null,
      country: s.country && dest.country ? { value: dest.country, budget: s.country } : null,
      enforce: s.mode !== "record_only",
      ladder: s.blockSeconds,
      onBlock: (f) => this.record(app, f, f.level === "prefix" ? prefix : dest.country!, s),
    };
    return step;
  }

  /** After an approval: the verification's sends count as verified history for the levels they were counted on. */
  async approved(v: ApprovedSend): Promise<void> {
    if (!v.pumpingScope) return;
    const levels: Array<{ level: PumpLevel; value: string }> = [{ level: "prefix", value: numberPrefix(v.destination) }];
    if (v.pumpingScope !== "prefix" && v.destinationCountry) levels.push({ level: v.pumpingScope === "fresh" ? "country" : "country_known", value: v.destinationCountry });
    // The code was right and is consumed: a limiter failing now is retried, not the answer's concern.
    await this.writes.run("pumping approval", () => this.limits.pumpApproved(v.appId, levels, new Date(v.createdAt), v.sendCount));
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
    const budget = f.level === "prefix" ? s.prefix! : s.country!; // both country budgets share the country's setting
    const details = {
      level: f.level, mode: s.mode, shadow: f.shadow,
      unverified: f.unverified, sends: f.sends, verified: f.verified, budget: f.budget,
      floor: budget.floor, share: budget.share,
      windowSeconds: PUMP_WINDOW_SECONDS, historySeconds: PUMP_HISTORY_SECONDS,
      escalationStep: f.escalationStep, blockSeconds: f.blockSeconds, ladder: s.blockSeconds,
      ...(rows ?? {}),
      riskFactors: riskFactors(f, rows),
    };
    await this.blocks
      .record({
        appId: app.id, rule: `pumping_${f.level}`, key: `${app.id}:${value}`, keyMasked: f.level === "prefix" ? maskPrefix(value) : value,
        hits: f.unverified, limit: f.budget, blockedUntil: new Date(Date.now() + f.blockSeconds * 1000), shadow: f.shadow, details,
      })
      .catch((err) => this.log.error({ err }, "could not record a pumping block"));
  }

  /**
   * The rows' own view of the last hour (refusal path only, over the prefix and country indexes):
   * how many distinct numbers, client IPs and (for a country) prefixes the sends went to.
   */
  private async rowFigures(appId: string, level: PumpLevel, value: string): Promise<RowFigures> {
    const match = level === "prefix"
      ? `channel IN ('SMS', 'VOICE') AND left(destination, -4) = $2`
      : `destination_country = $2 AND pumping_scope = '${scopeOf(level)}'`;
    const [r] = await this.ds.query(
      `SELECT count(*)::int AS requests, count(DISTINCT destination)::int AS numbers, count(DISTINCT client_ip)::int AS ips,
              count(DISTINCT left(destination, -4))::int AS prefixes
         FROM verifications
        WHERE app_id = $1 AND ${match} AND created_at > now() - make_interval(secs => $3)`,
      [appId, value, PUMP_WINDOW_SECONDS],
    );
    return { requestsLastHour: r.requests, distinctNumbers: r.numbers, distinctIps: r.ips, distinctPrefixes: r.prefixes };
  }
}

const scopeOf = (level: PumpLevel) => (level === "country" ? "fresh" : "known");

