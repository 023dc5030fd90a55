import { effectiveLimits, type WindowLimit } from "../abuse/abuse-settings";
import { ipLimitKey, maskIp } from "../abuse/client-ip";
import { checkCountry, checkNumberType, maskPrefix, numberPrefix } from "../abuse/number-policy";
import type { PumpingGuard } from "../abuse/pumping-guard";
import type { AppEntity } from "../apps/app.entity";
import { forbidden } from "../errors";
import type { ProviderRegistry } from "../providers/registry";
import { maskDestination, type Destination } from "../verification/destination";
import type { Channel } from "../verification/enums";
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
}

/**
 * Every check between a request (or resend) and a send, in one place, before anything is
 * stored or any vendor is called. Policy refusals (channel, country, number type) are
 * FORBIDDEN and cost nothing; then the volume limits, RATE_LIMITED with retryAfter. The order
 * matters: the caller's own IP is counted first, so an attacker refused there stops spending
 * the victim's per-destination budget; the pumping guard reads the database and runs only
 * after the cheap Redis counters let the request through.
 */
export class SendPolicy {
  constructor(
    private readonly limits: RateLimits,
    private readonly registry: ProviderRegistry,
    private readonly pumping?: PumpingGuard,
  ) {}

  async check(app: AppEntity, dest: Destination, channel: Channel, ctx: SendContext = { ip: null }): Promise<void> {
    if (!this.registry.supports(channel)) throw forbidden(`The ${channel} channel is not enabled on this gateway`);
    if (!ctx.testDestination) {
      checkCountry(app, dest, channel);
      checkNumberType(dest, channel);
    }
    const l = effectiveLimits(app.settings);
    if (ctx.ip && l.sendsPerIp) {
      const ip = ipLimitKey(ctx.ip);
      await this.limits.consume(rule("sends_per_ip", l.sendsPerIp), { appId: app.id, key: `${app.id}:${ip}`, keyMasked: maskIp(ctx.ip) });
    }
    if (!ctx.testDestination) await this.pumping?.check(app, dest, l.pumping);
    await this.limits.consume(sendsPerDestination(app), { appId: app.id, key: `${app.id}:${dest.value}`, keyMasked: maskDestination(dest.value) });
    if (dest.kind === "phone") {
      const prefix = numberPrefix(dest.value);
      if (l.sendsPerPrefix) await this.limits.consume(rule("sends_per_prefix", l.sendsPerPrefix), { appId: app.id, key: `${app.id}:${prefix}`, keyMasked: maskPrefix(prefix) });
      if (l.sendsPerCountry && dest.country) {
        await this.limits.consume(rule("sends_per_country", l.sendsPerCountry), { appId: app.id, key: `${app.id}:${dest.country}`, keyMasked: dest.country });
      }
    }
    if (app.hourlyBudget) await this.limits.consume(appHourlyBudget(app), { appId: app.id, key: app.id, keyMasked: app.name });
  }
}
