import type { TestDestinations, TestOutcome } from "../../protection/test-destinations";
import type { AppSettings } from "../../apps/app.entity";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { ProviderError, type OutboundMessage, type Provider, type SendResult, type StatusReport } from "../provider";

export const TEST_PROVIDER_NAME = "test";

/**
 * Stands in for the vendor when a delivery goes to one of the app's test destinations: no
 * message leaves, yet the delivery goes through the worker, its attempts and its events like
 * any other. It plays back the outcome the app configured: DELIVERED and UNDELIVERED arrive
 * as a status callback would (after the hand-off, through the same callback path), FAILED as a
 * permanent hand-off failure, so that apps can exercise their fallback handling.
 *
 * The dispatcher asks `providerFor` before the channel's own providers; only test destinations
 * get an answer. It is only wired in where test destinations are allowed (see TestDestinations).
 */
export class TestDestinationProvider {
  constructor(
    private readonly destinations: TestDestinations,
    /** Applies a status report as a vendor callback would (StatusCallbacks.apply); without it the outcome is reported at hand-off. */
    private readonly report?: (r: StatusReport) => Promise<unknown>,
  ) {}

  providerFor(settings: AppSettings | Record<string, any> | null | undefined, destination: string): Provider | undefined {
    const entry = this.destinations.find(settings as AppSettings, destination);
    return entry ? new PlaybackProvider(entry.outcome ?? "DELIVERED", this.report) : undefined;
  }
}

class PlaybackProvider implements Provider {
  readonly name = TEST_PROVIDER_NAME;
  // Every channel: the outbox and the test stand-in carry whatever a channel rendered.
  readonly channels: readonly Channel[] = Object.values(Channel);

  constructor(private readonly outcome: TestOutcome, private readonly report?: (r: StatusReport) => Promise<unknown>) {}

  async send(m: OutboundMessage): Promise<SendResult> {
    if (this.outcome === "FAILED") throw new ProviderError("permanent", "TEST_FAILED", "Forced failure of a test destination");
    const providerMessageId = `test-${m.deliveryId}`;
    const status = this.outcome === "UNDELIVERED" ? DeliveryStatus.UNDELIVERED : DeliveryStatus.DELIVERED;
    if (!this.report) return { providerMessageId, status };
    // Reported before the hand-off is recorded, like a fast vendor: the callback path keeps it and applies it right after.
    await this.report({
      provider: TEST_PROVIDER_NAME, providerMessageId, status,
      errorCode: status === DeliveryStatus.UNDELIVERED ? "TEST_UNDELIVERED" : null,
      errorMessage: status === DeliveryStatus.UNDELIVERED ? "Forced non-delivery of a test destination" : null,
      raw: { outcome: this.outcome },
    });
    return { providerMessageId };
  }
}
