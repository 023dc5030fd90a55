import { effectiveLimits, type WindowLimit } from "../abuse/abuse-settings";
import { ipLimitKey, maskIp } from "../abuse/client-ip";
import { checkCountry, checkNumberType, maskPrefix, numberPrefix } from "../abuse/number-policy";
import type { ConversionFigures, DeferredJudgement, PumpingGuard } from "../abuse/pumping-guard";
import type { AppEntity } from "../apps/app.entity";
import { forbidden } from "../errors";
import type { ProviderRegistry } from "../providers/registry";
import { maskDestination, type Destination } from "../verification/destination";
import type { Channel } from "../verification/enums";
import type { LimitStep } from "./limit-steps";
import type { LimitRule, RateLimits } from "./rate-limits";

const TEN_MINUTES = 600;

/** The contract's per-destination send limit: `maxSends` per 10 minutes, per app. */
export const sendsPerDestination = (app: AppEntity): LimitRule => ({ name: "sends_per_destination", points: app.maxSends, durationSeconds: TEN_MINUTES });
/** The app's cap on sends per hour (`--hourly-budget`). */
export const appHourlyBudget = (app: AppEntity): LimitRule => ({ name: "app_hourly_budget", points: app.hourlyBudget ?? 1, durationSeconds: 3600 });

const rule = (name: string, l: WindowLimit): LimitRule => ({ name, points: l.max, durationSeconds: l.windowSeconds });

export interface SendContext {
  /** The end user's IP: the `clientIp` input, else the socket's (or X-Forwarded-For through TRUST_PROXY). */
  ip: string | null;
  /** A test destination: no vendor is paid, so number type, country and pumping checks don't apply; the counters do. */
  testDestination?: boolean;
  /** The caller will judge the prefix's conversion in its own statement (PumpingGuard.judge). */
  deferPumping?: boolean;
}

/**
 * Every check between a request (or resend) and a send, in one place, before anything is
 * stored or any vendor is called. Policy refusals (channel, country, number type) are
 * FORBIDDEN and cost nothing; then the volume limits, RATE_LIMITED with retryAfter. The order
 * matters: the caller's own IP is counted first, so an attacker refused there stops spending
 * the victim's per-destination budget. All the counters and blocks are one ordered Redis round
 * trip; the pumping guard's conversion query reads the database and runs only after they let
 * the request through.
 */
export class SendPolicy {
  constructor(
    private readonly limits: RateLimits,
    private readonly registry: ProviderRegistry,
    private readonly pumping?: PumpingGuard,
  ) {}

  /**
   * Returns the pumping guard's per-send prefix judgement when `ctx.deferPumping` asks to run it
   * inside the caller's own statement; otherwise every judgement has been made here.
   */
  async check(app: AppEntity, dest: Destination, channel: Channel, ctx: SendContext = { ip: null }): Promise<DeferredJudgement | null> {
    if (!this.registry.supports(channel)) throw forbidden(`The ${channel} channel is not enabled on this gateway`);
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
    const pumping = !ctx.testDestination ? this.pumping?.plan(app, dest, l.pumping) : undefined;
    if (pumping) steps.push(...pumping.steps);
    steps.push({ op: "consume", rule: sendsPerDestination(app), subject: { appId: app.id, key: `${app.id}:${dest.value}`, keyMasked: maskDestination(dest.value) } });
    if (dest.kind === "phone") {
      const prefix = numberPrefix(dest.value);
      if (l.sendsPerPrefix) steps.push({ op: "consume", rule: rule("sends_per_prefix", l.sendsPerPrefix), subject: { appId: app.id, key: `${app.id}:${prefix}`, keyMasked: maskPrefix(prefix) } });
      if (l.sendsPerCountry && dest.country) {
        steps.push({ op: "consume", rule: rule("sends_per_country", l.sendsPerCountry), subject: { appId: app.id, key: `${app.id}:${dest.country}`, keyMasked: dest.country } });
      }
    }
    if (app.hourlyBudget) steps.push({ op: "consume", rule: appHourlyBudget(app), subject: { appId: app.id, key: app.id, keyMasked: app.name } });
    const due = await this.limits.runInOrder(steps);
    return pumping ? this.pumping!.judge(app, pumping, due, ctx.deferPumping) : null;
  }

  /** Finishes a deferred prefix judgement with the figures the caller's statement returned. */
  async judgeDeferred(deferred: DeferredJudgement, figures: ConversionFigures): Promise<void> {
    await this.pumping!.verdict(deferred.planned, figures);
  }
}
