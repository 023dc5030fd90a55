import type { AppEntity } from "../apps/app.entity";
import { forbidden } from "../errors";
import type { ProviderRegistry } from "../providers/registry";
import { maskDestination, type Destination } from "../verification/destination";
import { Channel } from "../verification/enums";
import type { LimitRule, RateLimits } from "./rate-limits";

const TEN_MINUTES = 600;

/** The contract's per-destination send limit: `maxSends` per 10 minutes, per app. */
export const sendsPerDestination = (app: AppEntity): LimitRule => ({ name: "sends_per_destination", points: app.maxSends, durationSeconds: TEN_MINUTES });
/** The app's cap on sends per hour (`--hourly-budget`). */
export const appHourlyBudget = (app: AppEntity): LimitRule => ({ name: "app_hourly_budget", points: app.hourlyBudget ?? 1, durationSeconds: 3600 });

/**
 * Every check that stands between a request and a send, in one place: is the channel
 * available, is the destination allowed for the app, and do the send limits allow it.
 * Refusals are FORBIDDEN (policy) or RATE_LIMITED (volume), before any vendor is called.
 */
export class SendPolicy {
  constructor(private readonly limits: RateLimits, private readonly registry: ProviderRegistry) {}

  async check(app: AppEntity, dest: Destination, channel: Channel): Promise<void> {
    if (!this.registry.supports(channel)) throw forbidden(`The ${channel} channel is not enabled on this gateway`);
    this.checkGeo(app, dest, channel);
    const masked = maskDestination(dest.value);
    await this.limits.consume(sendsPerDestination(app), { appId: app.id, key: `${app.id}:${dest.value}`, keyMasked: masked });
    if (app.hourlyBudget) await this.limits.consume(appHourlyBudget(app), { appId: app.id, key: app.id, keyMasked: app.name });
  }

  private checkGeo(app: AppEntity, dest: Destination, channel: Channel): void {
    if (dest.kind !== "phone") return;
    const allowed = channel === Channel.VOICE && app.settings.voiceCountries?.length ? app.settings.voiceCountries : app.countries;
    if (allowed?.length && (!dest.country || !allowed.includes(dest.country))) {
      throw forbidden(`${channel} to this country is not allowed for this app`);
    }
  }
}
