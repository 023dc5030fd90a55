import type { RenderedMessage } from "../channels/channel";
import type { Price } from "../prices/vendor-price";
import type { Channel, DeliveryStatus } from "../verification/enums";

/** A rendered message plus the ids a provider needs to correlate callbacks. */
export interface OutboundMessage extends RenderedMessage {
  deliveryId: string;
  verificationId: string;
  appId: string;
  /** The destination's country (ISO 3166 alpha-2) when it is a phone number: picks per-country senders. */
  country?: string | null;
  /** The verification's BCP 47 locale, for vendors that take it apart from the text (the `http` provider). */
  locale?: string;
}

export interface SendResult {
  providerMessageId: string;
  /** What the vendor said at hand-off; SENT unless the vendor already reports more. */
  status?: DeliveryStatus;
  /** What the vendor says it charged, when its answer says (Vonage `message-price`, Twilio `price` once filled). */
  price?: Price | null;
}

/**
 * How a failure should be handled:
 * - transient: the vendor may accept it later (network, 5xx, 429): retry with backoff;
 * - provider: this vendor can't send it (auth, account, route): try the next provider;
 * - permanent: nobody can (invalid number, blocked recipient): stop.
 */
export type FailureKind = "transient" | "provider" | "permanent";

export class ProviderError extends Error {
  constructor(public readonly kind: FailureKind, public readonly code: string, message: string) {
    super(message);
    this.name = "ProviderError";
  }
}

/** A vendor's status callback (delivery receipt) in our terms, parsed by that vendor's provider class. */
export interface StatusReport {
  provider: string;
  providerMessageId: string;
  status: DeliveryStatus;
  /** The vendor's own error code (Twilio "30003", Vonage err-code "6"), kept verbatim. */
  errorCode: string | null;
  errorMessage: string | null;
  /** The callback's parameters as received (signature removed), for the delivery's timeline. */
  raw: Record<string, string>;
  /** The channel the vendor says carried the message, when it says (Twilio's `From: rcs:…` or a number; Vonage's `channel`). */
  sentAs?: Channel | null;
  /** What the vendor charged, when its report says (Vonage's receipt `price`): replaces any earlier figure. */
  price?: Price | null;
}

/** One vendor, one small class: hands rendered messages over and translates its words into ours. */
export interface Provider {
  readonly name: string;
  readonly channels: readonly Channel[];
  /** The variables holding its credentials: a refusal at start-up names them (exit 2). */
  readonly credentialVariables?: readonly string[];
  send(message: OutboundMessage): Promise<SendResult>;
  /** Checks credentials at start-up, so that a bad configuration fails there and not at the first send. */
  verify?(): Promise<void>;
  /** Releases connections (an SMTP pool) when the process stops. */
  close?(): void | Promise<void>;
}
