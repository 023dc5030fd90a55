import type { Logger } from "pino";
import type { ChannelStrategy } from "../channels/channel";
import type { SecretKeys } from "../crypto/secret-keys";
import { ProviderError } from "../providers/provider";
import type { ProviderRegistry } from "../providers/registry";
import { decryptCode } from "../verification/code";
import { maskDestination } from "../verification/destination";
import { Channel, DeliveryStatus, VerificationStatus } from "../verification/enums";
import type { Row } from "../verification/verification-view";
import type { DeliveryEvents } from "./delivery-events";
import type { ClaimedDelivery, DeliveryStore } from "./delivery-store";
import { decide, defaultRetryOptions, type RetryOptions } from "./retry-policy";

export interface DispatchObserver {
  /** Every hand-off, with the destination's country (null for e-mail) for per-country metrics. */
  onAttempt?(provider: string, channel: string, outcome: string, latencyMs: number, country: string | null): void;
  /** A claimed delivery is about to be dispatched (metrics: how long it waited in the queue). */
  onDispatch?(c: ClaimedDelivery): void;
}

/**
 * Sends one claimed delivery: renders it through its channel, hands it to the provider at
 * its failover position, and records what happened (sent, retry later, next provider, failed).
 */
export class Dispatcher {
  constructor(
    private readonly store: DeliveryStore,
    private readonly registry: ProviderRegistry,
    private readonly channels: Map<Channel, ChannelStrategy>,
    private readonly keys: SecretKeys,
    private readonly events: DeliveryEvents,
    private readonly log: Logger,
    private readonly workerId: string,
    private readonly retry: RetryOptions = defaultRetryOptions,
    private readonly observer: DispatchObserver = {},
  ) {}

  async dispatch(c: ClaimedDelivery): Promise<void> {
    const d = c.delivery;
    const v = c.verification;
    this.observer.onDispatch?.(c);
    if (v.status !== VerificationStatus.PENDING || new Date(v.expiresAt).getTime() <= Date.now() || !v.codeCipher) {
      return this.publish(await this.store.failed(d, this.workerId, null, "VERIFICATION_CLOSED", "The verification ended before this message was sent"));
    }
    const providers = this.registry.forChannel(d.channel);
    const provider = providers[d.provider_index];
    if (!provider) {
      return this.publish(await this.store.failed(d, this.workerId, null, "NO_PROVIDER", `No provider is configured for ${d.channel}`));
    }
    const message = this.channels.get(d.channel)!.render({
      to: v.destination, code: decryptCode(this.keys, d.verification_id, v.codeCipher), appName: c.app.name, locale: v.locale,
      ttlSeconds: c.app.ttlSeconds, purpose: v.purpose, transaction: v.transaction, settings: c.app.settings,
    });
    const started = performance.now();
    try {
      const result = await provider.send({ ...message, deliveryId: d.id, verificationId: d.verification_id, appId: d.app_id });
      const latencyMs = performance.now() - started;
      this.observer.onAttempt?.(provider.name, d.channel, "SENT", latencyMs, v.country ?? null);
      const row = await this.store.sent(d, this.workerId, { provider: provider.name, providerMessageId: result.providerMessageId, outcome: "SENT", latencyMs }, result.status ?? DeliveryStatus.SENT);
      if (!row) this.log.warn({ deliveryId: d.id }, "delivery was sent after its lease lapsed; another worker may send it again");
      return this.publish(row);
    } catch (e) {
      const latencyMs = performance.now() - started;
      const err = e instanceof ProviderError ? e : new ProviderError("transient", "INTERNAL", (e as Error)?.message ?? String(e));
      const decision = decide(err, d.attempts, d.provider_index, providers.length, this.retry);
      const outcome = decision.action === "retry" ? "RETRY" : "FAILED";
      this.observer.onAttempt?.(provider.name, d.channel, outcome, latencyMs, v.country ?? null);
      const attempt = { provider: provider.name, outcome, errorCode: err.code, errorMessage: err.message, latencyMs } as const;
      this.log.warn(
        { deliveryId: d.id, provider: provider.name, to: maskDestination(v.destination), errorCode: err.code, kind: err.kind, decision: decision.action },
        "delivery attempt failed",
      );
      if (decision.action === "retry") return this.publish(await this.store.retry(d, this.workerId, attempt, decision.delayMs));
      if (decision.action === "failover") {
        return this.publish(await this.store.failover(d, this.workerId, attempt, decision.nextIndex, providers[decision.nextIndex].name));
      }
      return this.publish(await this.store.failed(d, this.workerId, attempt, err.code, err.message));
    }
  }

  private async publish(row: Row | null): Promise<void> {
    if (row) await this.events.published(row);
  }
}
