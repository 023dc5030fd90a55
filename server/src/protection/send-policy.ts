import { effectiveLimits, type WindowLimit } from "./abuse-settings";
import { ipLimitKey, maskIp } from "./client-ip";
import { checkCountry, checkNumberType, maskPrefix, numberPrefix } from "./number-policy";
import type { PumpingGuard } from "./pumping-guard";
import { isSafelisted } from "./safelist";
import type { AppEntity } from "../apps/app.entity";
import { forbidden } from "../errors";
import type { ProviderRegistry } from "../providers/registry";
import { maskDestination, type Destination } from "../verification/destination";
import { Channel } from "../verification/enums";
import type { LimitStep } from "./limit-steps";
import { destinationFailureGate } from "./verify-policy";
import type { PumpScope } from "./pump-step";
import type { LimitRule, RateLimits } from "./rate-limits";

const TEN_MINUTES = 600;

/** The contract's per-destination send limit: `maxSends` per 10 minutes, per app. */
export const sendsPerDestination = (app: AppEntity): LimitRule => ({ name: "sends_per_destination", points: app.maxSends, durationSeconds: TEN_MINUTES });
/** The app's cap on sends per hour (`--hourly-budget`). */
export const appHourlyBudget = (app: AppEntity): LimitRule => ({ name: "app_hourly_budget", points: app.hourlyBudget ?? 1, durationSeconds: 3600 });

const DAY = 86_400;
/** The app's optional daily spend ceiling: paid channels (every channel but EMAIL) in one count, e-mail in its own. */
export const spendCeiling = (name: "spend_ceiling_paid" | "spend_ceiling_email", max: number): LimitRule => ({ name, points: max, durationSeconds: DAY });

const rule = (name: string, l: WindowLimit): LimitRule => ({ name, points: l.max, durationSeconds: l.windowSeconds });

export interface SendContext {
  /** The end user's IP as the calling backend stated it (`clientIp`); null: no per-IP limit applies. */
  ip: string | null;
  /** A test destination: no vendor is paid, so number type, country and pumping checks don't apply; the counters do. */
  testDestination?: boolean;
}

/**
 * Every check between a request (or resend) and a send, in one place, before anything is
 * stored or any vendor is called. Policy refusals (channel, country, number type) are
 * FORBIDDEN and cost nothing; then the volume limits, RATE_LIMITED with retryAfter. The order
 * matters: the caller's own IP is counted first, so an attacker refused there stops spending
 * the victim's per-destination budget; the pumping budgets come next, so a pumped send refused
 * there spends no one else's prefix, country or spend budget; the spend ceiling comes last, so
 * it counts only sends that will happen. All of it is one ordered Redis round trip.
 */
export class SendPolicy {
  constructor(
    private readonly limits: RateLimits,
    private readonly registry: ProviderRegistry,
    private readonly pumping?: PumpingGuard,
  ) {}

  /** Returns where the pumping guard counted the send, to store on the verification (its approval moves it). */
  async check(app: AppEntity, dest: Destination, channel: Channel, ctx: SendContext = { ip: null }): Promise<{ pumpingScope: PumpScope }> {
    if (!this.registry.supports(channel)) throw forbidden(`The ${channel} channel is not enabled on this gateway`, { reason: "CHANNEL_UNAVAILABLE" });
    if (!ctx.testDestination) {
      checkCountry(app, dest, channel);
      checkNumberType(dest, channel);
    }
    const l = effectiveLimits(app.settings);
    // One ordered list, run in one round trip: a step that refuses stops the later ones from counting.
    const steps: LimitStep[] = [];
    if (ctx.ip && l.sendsPerIp) {
      const ip = ipLimitKey(ctx.ip);
      steps.push({ op: "consume", rule: rule("sends_per_ip", l.sendsPerIp), subject: { appId: app.id, key: `${app.id}:${ip}`, keyMasked: maskIp(ctx.ip) } });
    }
    // A number whose wrong-code budgets (aimed at its live codes) are spent gets no new code: the NIST cap's bound on guessing.
    steps.push(...destinationFailureGate(app, l, dest.value));
    // Test destinations pay no vendor; the safe list is trusted: neither is judged as pumping.
    const judged = !ctx.testDestination && !(dest.kind === "phone" && isSafelisted(app.settings?.safelist, dest.value));
    const pump = judged ? this.pumping?.step(app, dest, l.pumping) : null;
    if (pump) steps.push({ op: "pump", pump });
    steps.push({ op: "consume", rule: sendsPerDestination(app), subject: { appId: app.id, key: `${app.id}:${dest.value}`, keyMasked: maskDestination(dest.value) } });
    if (dest.kind === "phone") {
      const prefix = numberPrefix(dest.value);
      if (l.sendsPerPrefix) steps.push({ op: "consume", rule: rule("sends_per_prefix", l.sendsPerPrefix), subject: { appId: app.id, key: `${app.id}:${prefix}`, keyMasked: maskPrefix(prefix) } });
      if (l.sendsPerCountry && dest.country) {
        steps.push({ op: "consume", rule: rule("sends_per_country", l.sendsPerCountry), subject: { appId: app.id, key: `${app.id}:${dest.country}`, keyMasked: dest.country } });
      }
    }
    if (app.hourlyBudget) steps.push({ op: "consume", rule: appHourlyBudget(app), subject: { appId: app.id, key: app.id, keyMasked: app.name } });
    const email = channel === Channel.EMAIL;
    const ceiling = email ? l.spendCeiling.emailPerDay : l.spendCeiling.paidPerDay;
    if (ceiling && !ctx.testDestination) {
      const name = email ? "spend_ceiling_email" : "spend_ceiling_paid";
      steps.push({ op: "consume", rule: spendCeiling(name, ceiling), subject: { appId: app.id, key: `${app.id}:${email ? "email" : "paid"}`, keyMasked: `${app.name}: ${email ? "e-mail" : "paid phone channels"}` } });
    }
    await this.limits.runInOrder(steps);
    return { pumpingScope: pump?.scope ?? null };
  }
}
