import type { Logger } from "pino";
import type { ChannelStrategy } from "../channels/channel";
import type { SecretKeys } from "../crypto/secret-keys";
import { ProviderError, type Provider, type SendResult } from "../providers/provider";
import { scrubCode, scrubVendorText } from "../providers/scrub-vendor-text";
import type { ProviderRegistry } from "../providers/registry";
import { decryptCode } from "../verification/code";
import { maskDestination } from "../verification/destination";
import { Channel, DeliveryStatus, VerificationStatus } from "../verification/enums";
import type { Row } from "../verification/verification-view";
import type { DeliveryEvents } from "./delivery-events";
import type { AttemptOutcome, AttemptRecord, ClaimedDelivery, DeliveryStore } from "./delivery-store";
import type { Fallback } from "./fallback";
import { decide, defaultRetryOptions, type RetryOptions } from "./retry-policy";
import type { StatusCallbacks } from "./status-callbacks";
import { SentBatcher } from "./sent-batcher";
import { inStoredTrace } from "../observability/trace-context";
import { priceOfHandOff } from "../prices/delivery-price";
import type { PriceTable } from "../prices/price-table";

export interface DispatchObserver {
  /** Every hand-off, with the destination's country (null for e-mail) for per-country metrics. */
  onAttempt?(provider: string, channel: string, outcome: string, latencyMs: number, country: string | null): void;
  /** A claimed delivery is about to be handled (queue-delay metrics). */
  onDispatch?(c: ClaimedDelivery): void;
}

/** What happens after a dispatch: the fallback channel, and status callbacks that beat the worker to the record. */
export interface DispatchFollowUps {
  fallback?: Fallback;
  callbacks?: StatusCallbacks;
  /** The stand-in for the vendor when the destination is one of the app's test destinations (protection/test-destinations.ts). */
  testDestinations?: { providerFor(settings: Record<string, any>, destination: string): Provider | undefined };
  /** The verification's workflow (workflow/workflow.ts): a step's hand-off starts the next step's timer. */
  workflow?: { handedOff(delivery: Row): Promise<void> };
  /** PRICE_TABLE: the price of a hand-off whose vendor's answer names none. */
  prices?: PriceTable;
}

/**
 * Sends one claimed delivery: renders it through its channel, hands it to the provider at
 * its failover position, and records what happened — sent; retry later on the same provider;
 * next provider now; a new pass over all providers later; or failed (then maybe the app's
 * fallback channel). Every hand-off is one delivery_attempts row.
 */
export class Dispatcher {
  /** Hand-offs recorded together when they finish together (sent-batcher.ts). */
  private readonly sent: SentBatcher;

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
    private readonly followUps: DispatchFollowUps = {},
  ) {
    this.sent = new SentBatcher(store, workerId);
  }

  async dispatch(c: ClaimedDelivery): Promise<void> {
    const d = c.delivery;
    // The request's trace continues here, in whichever process claimed the row; the vendor's
    // HTTP call (instrumented) becomes this span's child.
    const attributes = { "otp.delivery_id": d.id, "otp.verification_id": d.verification_id, "otp.channel": d.channel, "otp.attempt": d.attempts };
    return inStoredTrace(d.traceparent, "delivery.send", attributes, () => this.send(c));
  }

  private async send(c: ClaimedDelivery): Promise<void> {
    const d = c.delivery;
    const v = c.verification;
    this.observer.onDispatch?.(c);
    if (v.status !== VerificationStatus.PENDING || new Date(v.expiresAt).getTime() <= Date.now() || !v.codeCipher) {
      return this.publish(await this.store.failed(d, this.workerId, null, "VERIFICATION_CLOSED", "The verification ended before this message was sent"));
    }
    const providers = this.registry.forChannel(d.channel);
    const provider = this.followUps.testDestinations?.providerFor(c.app.settings, v.destination) ?? providers[d.provider_index];
    if (!provider) {
      return this.finalFailure(await this.store.failed(d, this.workerId, null, "NO_PROVIDER", `No provider is configured for ${d.channel}`));
    }
    const code = decryptCode(this.keys, d.verification_id, v.codeCipher);
    const message = this.channels.get(d.channel)!.render({
      to: v.destination, code, appName: c.app.name, locale: v.locale,
      ttlSeconds: c.app.ttlSeconds, purpose: v.purpose, transaction: v.transaction, settings: c.app.settings,
    });
    const started = performance.now();
    let result: SendResult;
    try {
      result = await provider.send({ ...message, deliveryId: d.id, verificationId: d.verification_id, appId: d.app_id, country: v.country ?? null, locale: v.locale });
    } catch (e) {
      // The vendor's words lose any destination and code they quote before they are logged or stored (scrubVendorText, scrubCode).
      const said = (text: string) => scrubCode(scrubVendorText(text), code);
      const err = e instanceof ProviderError ? new ProviderError(e.kind, e.code, said(e.message)) : new ProviderError("transient", "INTERNAL", said((e as Error)?.message ?? String(e)));
      return this.failedAttempt(c, providers, provider, err, performance.now() - started);
    }
    const latencyMs = performance.now() - started;
    this.observer.onAttempt?.(provider.name, d.channel, "SENT", latencyMs, v.country ?? null);
    const price = priceOfHandOff(result.price, this.followUps.prices, provider.name, d.channel, v.country ?? null);
    const attempt: AttemptRecord = { provider: provider.name, providerMessageId: result.providerMessageId, outcome: "SENT", latencyMs, price };
    const { row, earlyCallbacks } = await this.sent.record(d, attempt, result.status ?? DeliveryStatus.SENT);
    if (!row) this.log.warn({ deliveryId: d.id }, "delivery was sent after its lease lapsed; another worker may send it again");
    await this.publish(row);
    if (row?.step_id && (row.status === DeliveryStatus.SENT || row.status === DeliveryStatus.DELIVERED)) {
      await this.followUps.workflow?.handedOff(row).catch((err: Error) =>
        this.log.warn({ deliveryId: d.id, err: err.message }, "starting the next workflow step's timer failed; the sweep will retry"));
    }
    // A status callback overtook the vendor's HTTP answer; if applying it fails here, the sweep does it later.
    if (row && earlyCallbacks) {
      await this.followUps.callbacks?.applyEarly(provider.name, result.providerMessageId).catch((err: Error) =>
        this.log.warn({ deliveryId: d.id, err: err.message }, "applying early status callbacks failed; the sweep will retry"));
    }
  }

  private async failedAttempt(c: ClaimedDelivery, providers: Provider[], provider: Provider, err: ProviderError, latencyMs: number): Promise<void> {
    const d = c.delivery;
    const decision = decide(err, { attempts: d.attempts, providerIndex: d.provider_index, providerCount: providers.length, round: d.failover_round ?? 0 }, this.retry);
    // A workflow step's delivery that exhausted its providers ends here: the workflow moves on (or, at its last step, the verification fails).
    const fallbackChannel =
      decision.action === "exhausted" && d.step_id ? "next step"
      : decision.action === "exhausted"
        ? this.followUps.fallback?.channelFor({
            channel: d.channel, fallbackOf: d.fallback_of ?? null, destination: c.verification.destination,
            settings: c.app.settings, countries: c.app.countries,
          }) ?? null
        : null;
    const outcome: AttemptOutcome =
      decision.action === "retry" ? "RETRY"
      : decision.action === "failover" ? "FAILOVER"
      : decision.action === "exhausted" && !fallbackChannel ? "RETRY"
      : "FAILED";
    this.observer.onAttempt?.(provider.name, d.channel, outcome, latencyMs, c.verification.country ?? null);
    const attempt: AttemptRecord = { provider: provider.name, outcome, errorCode: err.code, errorMessage: err.message, latencyMs };
    // An open circuit refuses every message at once: one warning per message would flood the log.
    this.log[err.code === "CIRCUIT_OPEN" ? "debug" : "warn"](
      { deliveryId: d.id, provider: provider.name, to: maskDestination(c.verification.destination), errorCode: err.code, error: err.message, kind: err.kind, decision: decision.action },
      "delivery attempt failed",
    );
    switch (decision.action) {
      case "retry":
        return this.publish(await this.store.retry(d, this.workerId, attempt, decision.delayMs));
      case "failover":
        return this.publish(await this.store.failover(d, this.workerId, attempt, decision.nextIndex, providers[decision.nextIndex].name));
      case "exhausted":
        if (!fallbackChannel) return this.publish(await this.store.newRound(d, this.workerId, attempt, decision.delayMs, providers[0].name));
        return this.finalFailure(await this.store.failed(d, this.workerId, attempt, err.code, err.message));
      case "fail":
        return this.finalFailure(await this.store.failed(d, this.workerId, attempt, err.code, err.message));
    }
  }

  /** Publishes a final failure and starts the app's fallback channel when one applies. */
  private async finalFailure(row: Row | null): Promise<void> {
    await this.publish(row);
    if (row) await this.followUps.fallback?.afterFailure(row);
  }

  private async publish(row: Row | null): Promise<void> {
    if (row) await this.events.published(row);
  }
}
