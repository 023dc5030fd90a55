import { Vonage } from "@vonage/server-sdk";
import { vendorPrice } from "../../prices/vendor-price";
import { WhatsAppTemplate, type WhatsAppLanguageCode } from "@vonage/messages";
import type { VonageWhatsAppConfig } from "../../config/config";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { ProviderError, type FailureKind, type OutboundMessage, type Provider, type SendResult, type StatusReport } from "../provider";
import { VONAGE_MESSAGES_KIND } from "./messages-errors";

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

/** "https://developer.vonage.com/api-errors/messages#1022" → "1022"; "…#unauthorized" → "unauthorized". */
function codeOf(error: { type?: unknown; title?: unknown } | undefined): string | null {
  const fragment = typeof error?.type === "string" ? error.type.split("#")[1] : undefined;
  if (fragment) return fragment;
  return error?.title !== undefined && error.title !== null ? String(error.title) : null;
}

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
  private readonly client: Vonage;

  constructor(private readonly config: VonageWhatsAppConfig, private readonly statusCallbackUrl: string, timeoutMs = 10_000) {
    const base = config.apiBaseUrl?.replace(/\/$/, "");
    this.client = new Vonage(config.auth, { timeout: timeoutMs, ...(base && { apiHost: base, restHost: base }) });
  }

  /**
   * The Messages API has no read-only call, so the check POSTs an empty message: Vonage
   * authenticates before it validates, so good credentials get 422 (nothing is sent) and bad
   * ones 401. Refused is a `provider` error naming the variables; unreachable is `transient`.
   */
  async verify(): Promise<void> {
    try {
      await this.client.messages.send({} as never);
    } catch (e) {
      const err = await classify(e);
      if (err.code === "422" || VONAGE_MESSAGES_KIND[err.code] === "permanent") return;
      const variables = "applicationId" in this.config.auth ? "VONAGE_APPLICATION_ID / VONAGE_PRIVATE_KEY" : "VONAGE_API_KEY / VONAGE_API_SECRET";
      throw new ProviderError(err.kind === "transient" ? "transient" : "provider", err.code, `${variables}: Vonage Messages API check failed: ${err.code} ${err.message}`);
    }
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    if (!m.whatsapp) throw new ProviderError("permanent", "NOT_WHATSAPP", "The message was not rendered for WhatsApp");
    try {
      const resp = await this.client.messages.send(new WhatsAppTemplate({
        to: m.to.replace(/^\+/, ""), from: this.config.from,
        template: { name: this.config.template, parameters: [m.whatsapp.code] },
        whatsapp: { policy: "deterministic", locale: m.whatsapp.language as WhatsAppLanguageCode },
        clientRef: m.deliveryId, webhookUrl: this.statusCallbackUrl,
      }));
      if (!resp.messageUUID) throw new ProviderError("transient", "NO_MESSAGE_ID", "Vonage accepted the message without a message_uuid");
      return { providerMessageId: resp.messageUUID, status: DeliveryStatus.SENT };
    } catch (e) {
      throw e instanceof ProviderError ? e : await classify(e);
    }
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

/**
 * The SDK throws a VetchError carrying the unread Response for a non-2xx answer; its body is
 * Vonage's RFC 7807 problem (`type` ends in the code: "…/messages#1022", "…#unauthorized").
 * Anything else is the network (refused, reset, timed out).
 */
export async function classify(e: unknown): Promise<ProviderError> {
  const err = e as { message?: string; response?: { status?: unknown; text?: () => Promise<string> } };
  const http = typeof err.response?.status === "number" ? err.response.status : undefined;
  if (http === undefined) return new ProviderError("transient", "NETWORK", (err.message ?? "Vonage request failed").slice(0, 500));
  let problem: { type?: unknown; title?: unknown; detail?: unknown } = {};
  try {
    problem = JSON.parse((await err.response!.text!()) || "{}");
  } catch {
    // Not JSON (a proxy's HTML error page): the HTTP status says enough.
  }
  const fromType = codeOf({ type: problem.type });
  const code = fromType && VONAGE_MESSAGES_KIND[fromType] ? fromType : String(http);
  const kind: FailureKind =
    VONAGE_MESSAGES_KIND[code] ?? (http === 429 || http >= 500 ? "transient" : http === 401 || http === 402 || http === 403 ? "provider" : "permanent");
  const text = [problem.title, problem.detail].filter((s) => typeof s === "string" && s).join(": ") || `Vonage answered HTTP ${http}`;
  return new ProviderError(kind, code, text.slice(0, 500));
}
