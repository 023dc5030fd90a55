import twilio from "twilio";
import { twilioOverUndici, type TwilioHttpClient } from "./twilio-http-client";
import type { TwilioWhatsAppConfig } from "../../config/config";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { ProviderError, type OutboundMessage, type Provider, type SendResult } from "../provider";
import { classify, mapTwilioStatus } from "./twilio-provider";
import { TWILIO_WHATSAPP_KIND } from "./whatsapp-errors";

type TwilioClient = ReturnType<typeof twilio>;

/**
 * The Content SID for a verification's locale: its exact tag ("pt-br"), its language ("pt"),
 * the default ("*"), English, or else the first listed (Twilio Content templates have one
 * language each, so an operator lists one SID per approved translation).
 */
export function contentSidFor(sids: Record<string, string>, locale: string | null | undefined): string {
  const tag = (locale ?? "").toLowerCase().replace(/_/g, "-");
  return sids[tag] ?? sids[tag.split("-")[0]] ?? sids["*"] ?? sids.en ?? Object.values(sids)[0];
}

/**
 * The Content API lives on its own host (content.twilio.com). TWILIO_API_BASE_URL names a
 * regional REST host ("https://api.dublin.ie1.twilio.com": its content twin is
 * "content.dublin.ie1…") or, in tests, one stand-in serving both.
 */
export function contentBaseUrl(apiBaseUrl: string): string {
  const u = new URL(apiBaseUrl);
  if (u.hostname.startsWith("api.")) u.hostname = `content.${u.hostname.slice(4)}`;
  return u.toString().replace(/\/$/, "");
}

/**
 * WhatsApp through Twilio's Messages API: `whatsapp:` addresses and the approved
 * authentication template (ContentSid), whose variable {{1}} is the code. Status callbacks
 * (queued, sent, delivered, read, undelivered, failed) come to the same signed Twilio webhook
 * as SMS. Shares the name "twilio" — and one circuit breaker — with the SMS/voice provider.
 */
export class TwilioWhatsAppProvider implements Provider {
  readonly name = "twilio";
  readonly channels = [Channel.WHATSAPP] as const;
  private readonly client: TwilioClient;
  private readonly http: TwilioHttpClient;

  constructor(private readonly config: TwilioWhatsAppConfig, private readonly statusCallbackUrl: string, timeoutMs = 10_000) {
    // The SDK over undici, no SDK retries (twilio-http-client.ts): its axios transport cost more CPU per message than the rest of a send.
    ({ client: this.client, http: this.http } = twilioOverUndici(config.accountSid, config.authToken, timeoutMs));
    if (config.apiBaseUrl) {
      (this.client.api as unknown as { baseUrl: string }).baseUrl = config.apiBaseUrl.replace(/\/$/, "");
      (this.client.content as unknown as { baseUrl: string }).baseUrl = contentBaseUrl(config.apiBaseUrl);
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /**
   * Fetches each configured Content template: proves the credentials and that the template
   * exists on this account. Refused credentials or an unknown template are `provider` errors
   * naming the variable to fix; an unreachable Twilio is `transient`.
   */
  async verify(): Promise<void> {
    for (const sid of new Set(Object.values(this.config.contentSids))) {
      try {
        await this.client.content.v1.contents(sid).fetch();
      } catch (e) {
        const err = classify(e);
        const status = (e as { status?: number }).status;
        const variable = status === 404 ? "TWILIO_WHATSAPP_CONTENT_SID" : "TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN";
        const what = status === 404 ? `Content template ${sid} not found on this account` : `${err.code} ${err.message}`.trim();
        throw new ProviderError(err.kind === "transient" ? "transient" : "provider", err.code, `${variable}: Twilio WhatsApp check failed: ${what}`);
      }
    }
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    if (!m.whatsapp) throw new ProviderError("permanent", "NOT_WHATSAPP", "The message was not rendered for WhatsApp");
    try {
      const msg = await this.client.messages.create({
        to: `whatsapp:${m.to}`, from: this.config.from,
        contentSid: contentSidFor(this.config.contentSids, m.whatsapp.language),
        contentVariables: JSON.stringify({ 1: m.whatsapp.code }),
        statusCallback: this.statusCallbackUrl,
      });
      return { providerMessageId: msg.sid, status: mapTwilioStatus(msg.status) ?? DeliveryStatus.SENT };
    } catch (e) {
      const err = classify(e);
      // WhatsApp's own refusals (not on WhatsApp, template refused, sender not approved) by who can fix them.
      const kind = TWILIO_WHATSAPP_KIND[err.code];
      throw kind ? new ProviderError(kind, err.code, err.message) : err;
    }
  }
}
