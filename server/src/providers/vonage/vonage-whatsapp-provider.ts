import { vendorPrice } from "../../prices/vendor-price";
import type { WhatsAppLanguageCode } from "@vonage/messages";
import type { VonageWhatsAppConfig } from "../../config/config";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { ProviderError, type OutboundMessage, type Provider, type SendResult, type StatusReport } from "../provider";
import { codeOf } from "./messages-classify";
import { VonageMessagesSender } from "./messages-sender";
import { vonageMessages } from "./vonage-sdk";

/** The Messages API's status words in our terms; anything new changes nothing. */
export function mapVonageMessageStatus(status: string): DeliveryStatus | null {
  switch (status) {
    case "submitted": return DeliveryStatus.SENT;
    case "delivered": case "read": return DeliveryStatus.DELIVERED;
    case "undeliverable": return DeliveryStatus.UNDELIVERED;
    case "rejected": return DeliveryStatus.FAILED;
    default: return null;
  }
}

/** The Messages API's `channel` of a status callback (WhatsApp, RCS, or an SMS failover) in our terms. */
const MESSAGES_CHANNELS: Record<string, Channel> = { whatsapp: Channel.WHATSAPP, rcs: Channel.RCS, sms: Channel.SMS };

/**
 * WhatsApp through Vonage's Messages API: a `template` message on `channel: whatsapp` naming
 * the approved authentication template (VONAGE_WHATSAPP_TEMPLATE, its {{1}} the code) in the
 * verification's language. JWT auth with the application's private key (VONAGE_APPLICATION_ID,
 * VONAGE_PRIVATE_KEY), or Basic with the key/secret pair. Each message names its own status
 * webhook; the callbacks are signed JWTs (see messages-signature.ts). Shares the name "vonage"
 * — and one circuit breaker — with the SMS API provider.
 */
export class VonageWhatsAppProvider implements Provider {
  readonly name = "vonage";
  readonly channels = [Channel.WHATSAPP] as const;
  private readonly sender: VonageMessagesSender;

  constructor(private readonly config: VonageWhatsAppConfig, private readonly statusCallbackUrl: string, timeoutMs = 10_000) {
    this.sender = new VonageMessagesSender(config, timeoutMs);
  }

  /** An empty message: 422 after authentication (nothing is sent), 401 before it (messages-sender.ts). */
  verify(): Promise<void> {
    return this.sender.verify("Vonage Messages API");
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    if (!m.whatsapp) throw new ProviderError("permanent", "NOT_WHATSAPP", "The message was not rendered for WhatsApp");
    return this.sender.send(new (vonageMessages().WhatsAppTemplate)({
      to: m.to.replace(/^\+/, ""), from: this.config.from,
      template: { name: this.config.template, parameters: [m.whatsapp.code] },
      whatsapp: { policy: "deterministic", locale: m.whatsapp.language as WhatsAppLanguageCode },
      clientRef: m.deliveryId, webhookUrl: this.statusCallbackUrl,
    }));
  }

  /** A Messages API status callback (already authenticated) as a StatusReport; null when it names no message or no status we track. */
  static parseStatusCallback(body: Record<string, unknown>): StatusReport | null {
    const id = typeof body.message_uuid === "string" ? body.message_uuid : null;
    const status = mapVonageMessageStatus(typeof body.status === "string" ? body.status : "");
    if (!id || !status) return null;
    const error = body.error && typeof body.error === "object" ? (body.error as Record<string, unknown>) : undefined;
    const code = codeOf(error);
    const detail = typeof error?.detail === "string" ? error.detail.slice(0, 500) : null;
    // The timeline keeps what the callback said, not whom it was for (the number stays out of the raw record).
    const raw: Record<string, string> = {};
    for (const k of ["message_uuid", "status", "timestamp", "channel", "client_ref"]) if (typeof body[k] === "string") raw[k] = body[k] as string;
    if (code) raw.error_code = code;
    if (detail) raw.error_detail = detail;
    const sentAs = typeof body.channel === "string" ? MESSAGES_CHANNELS[body.channel] ?? null : null;
    // Messages API statuses carry `usage: { currency, price }` once Vonage has priced the message (on `delivered`, typically).
    const usage = body.usage && typeof body.usage === "object" ? (body.usage as Record<string, unknown>) : undefined;
    const price = usage ? vendorPrice(usage.price, usage.currency) : null;
    return { provider: "vonage", providerMessageId: id, status, errorCode: code, errorMessage: code ? detail ?? `Vonage error ${code}` : null, raw, sentAs, price };
  }
}
