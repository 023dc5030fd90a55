import type { Vonage } from "@vonage/server-sdk";
import type { VonageConfig } from "../../config/config";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { vendorPrice } from "../../prices/vendor-price";
import { senderForMessage } from "../sender";
import { vonageServerSdk } from "./vonage-sdk";
import { ProviderError, type FailureKind, type OutboundMessage, type Provider, type SendResult, type StatusReport } from "../provider";

type SmsParams = NonNullable<Parameters<Vonage["sms"]["send"]>[0]>;

/**
 * SMS API status codes (HTTP 200 with a non-zero `status`) by who can fix them. Throttling
 * and internal errors pass; account and route problems are this vendor's (try the next);
 * a barred or deactivated number is the destination's.
 */
const STATUS_KIND: Record<string, FailureKind> = {
  "1": "transient", "5": "transient", "10": "transient",
  "2": "provider", "4": "provider", "6": "provider", "8": "provider", "9": "provider", "11": "provider", "12": "provider",
  "14": "provider", "15": "provider", "22": "provider", "23": "provider", "29": "provider", "32": "provider",
  "3": "permanent", "7": "permanent", "33": "permanent",
};

/** Delivery-receipt `err-code` meanings, so the dashboard can say more than a number. */
const DLR_ERRORS: Record<string, string> = {
  "1": "Unknown", "2": "Absent subscriber (temporary)", "3": "Absent subscriber (permanent)", "4": "Call barred by user",
  "5": "Portability error", "6": "Anti-spam rejection", "7": "Handset busy", "8": "Network error", "9": "Illegal number",
  "10": "Illegal message", "11": "Unroutable", "12": "Destination unreachable", "13": "Subscriber age restriction",
  "14": "Number blocked by carrier", "15": "Prepaid insufficient funds", "99": "General error",
};

/** Vonage's DLR status words in our terms; "unknown" (and anything new) changes nothing. */
export function mapVonageStatus(status: string): DeliveryStatus | null {
  switch (status) {
    case "accepted": case "buffered": return DeliveryStatus.SENT;
    case "delivered": return DeliveryStatus.DELIVERED;
    case "expired": return DeliveryStatus.UNDELIVERED;
    case "failed": case "rejected": return DeliveryStatus.FAILED;
    default: return null;
  }
}

/** GSM 03.38 (basic set and extension table): text outside it must be sent as `unicode` or it arrives garbled. */
const GSM7 = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\f",
);
const isGsm7 = (text: string) => [...text].every((c) => GSM7.has(c));

/**
 * Vonage SMS through the official SDK (the SMS API, Basic auth). VONAGE_API_BASE_URL replaces
 * both of the SDK's hosts (rest.nexmo.com and api.nexmo.com), for a regional endpoint or a test
 * stand-in. Each message names its own delivery-receipt URL, so nothing needs setting at Vonage.
 */
export class VonageProvider implements Provider {
  readonly name = "vonage";
  readonly channels = [Channel.SMS] as const;
  readonly credentialVariables = ["VONAGE_API_KEY", "VONAGE_API_SECRET"] as const;
  private readonly client: Vonage;

  constructor(private readonly config: VonageConfig, private readonly statusCallbackUrl: string, timeoutMs = 10_000) {
    const base = config.apiBaseUrl?.replace(/\/$/, "");
    this.client = new (vonageServerSdk().Vonage)({ apiKey: config.apiKey, apiSecret: config.apiSecret }, { timeout: timeoutMs, ...(base && { restHost: base, apiHost: base }) });
  }

  /** A balance lookup, the cheapest call that proves the key and secret: refused is a `provider` error, unreachable `transient`. */
  async verify(): Promise<void> {
    try {
      await this.client.accounts.getBalance();
    } catch (e) {
      const err = classify(e);
      throw new ProviderError(err.kind === "transient" ? "transient" : "provider", err.code, `Vonage account check failed: ${err.message}`);
    }
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    const from = senderForMessage(this.config.from, m, "Vonage");
    try {
      const resp = await this.client.sms.send({
        to: m.to.replace(/^\+/, ""), from, text: m.text, clientRef: m.deliveryId, callback: this.statusCallbackUrl,
        ...(!isGsm7(m.text) && { type: "unicode" as SmsParams["type"] }),
      });
      const id = resp.messages[0]?.messageId;
      if (!id) throw new ProviderError("transient", "NO_MESSAGE_ID", "Vonage accepted the message without a message id");
      // `message-price`: Vonage's estimate at hand-off, in the account's currency; its receipt's `price` replaces it.
      return { providerMessageId: id, status: DeliveryStatus.SENT, price: vendorPrice(resp.messages[0]?.messagePrice, this.config.priceCurrency ?? "EUR") };
    } catch (e) {
      throw e instanceof ProviderError ? e : classify(e);
    }
  }

  /** A delivery receipt (already authenticated) as a StatusReport; null when it names no message or no status we track. */
  static parseStatusCallback(params: Record<string, string>, priceCurrency = "EUR"): StatusReport | null {
    const id = params.messageId ?? params["message-id"];
    const status = mapVonageStatus(params.status ?? "");
    if (!id || !status) return null;
    const code = params["err-code"] && params["err-code"] !== "0" ? params["err-code"] : null;
    const { sig: _sig, ...raw } = params;
    return {
      provider: "vonage", providerMessageId: id, status, errorCode: code,
      errorMessage: code ? DLR_ERRORS[code] ?? `Vonage error ${code}` : null, raw,
      // The receipt's `price` is what the message cost (the send answer's was an estimate), in the account's currency.
      price: vendorPrice(params.price, priceCurrency),
    };
  }
}

/**
 * The SDK's two failure shapes: SMSFailure (HTTP 200, `messages[].status` non-zero — catch it
 * by shape, since a single failure surfaces as the "partial" subclass) and VetchError (non-2xx
 * HTTP, `.response.status`); anything else is the network (refused, reset, timed out).
 */
export function classify(e: unknown): ProviderError {
  const err = e as { message?: string; response?: { status?: unknown; messages?: Array<{ status?: string; errorText?: string }> } };
  const failed = err.response?.messages?.find((m) => m.status !== "0");
  if (failed?.status) {
    const kind = STATUS_KIND[failed.status] ?? "provider";
    return new ProviderError(kind, failed.status, (failed.errorText ?? "Vonage refused the message").slice(0, 500));
  }
  const http = typeof err.response?.status === "number" ? err.response.status : undefined;
  if (http !== undefined) {
    const kind: FailureKind = http === 429 || http >= 500 ? "transient" : "provider";
    return new ProviderError(kind, String(http), (err.message ?? `Vonage answered HTTP ${http}`).slice(0, 500));
  }
  return new ProviderError("transient", "NETWORK", (err.message ?? "Vonage request failed").slice(0, 500));
}
