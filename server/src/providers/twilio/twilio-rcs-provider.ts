import twilio from "twilio";
import { twilioOverUndici, type TwilioHttpClient } from "./twilio-http-client";
import type { TwilioRcsConfig } from "../../config/config";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { ProviderError, type OutboundMessage, type Provider, type SendResult } from "../provider";
import { classify, mapTwilioStatus } from "./twilio-provider";
import { TWILIO_RCS_KIND } from "./rcs-errors";

type TwilioClient = ReturnType<typeof twilio>;

/**
 * The Messaging API's host (messaging.twilio.com) beside TWILIO_API_BASE_URL's: a regional
 * "https://api.dublin.ie1.twilio.com" has "messaging.dublin.ie1…"; a stand-in serves both.
 */
export function messagingBaseUrl(apiBaseUrl: string): string {
  const u = new URL(apiBaseUrl);
  if (u.hostname.startsWith("api.")) u.hostname = `messaging.${u.hostname.slice(4)}`;
  return u.toString().replace(/\/$/, "");
}

/**
 * RCS through Twilio: a Message created with the Messaging Service that holds the RCS sender
 * (`MessagingServiceSid`, `To` the plain number, our text as `Body`). Twilio checks the device:
 * RCS-capable, it goes as RCS (callbacks `From: rcs:<sender>`); not capable, Twilio itself falls
 * back to SMS when the service's pool has SMS senders (callbacks `From: +…`, recorded as
 * `sent_as = SMS` by the status callback), or else fails with 63106 — a permanent failure, so
 * the workflow's next step or the app's fallback moves on. Status callbacks come to the same
 * signed Twilio webhook as SMS. Shares the name "twilio" — and one circuit breaker — with
 * Twilio's SMS/voice and WhatsApp parts.
 */
export class TwilioRcsProvider implements Provider {
  readonly name = "twilio";
  readonly channels = [Channel.RCS] as const;
  private readonly client: TwilioClient;
  private readonly http: TwilioHttpClient;

  constructor(private readonly config: TwilioRcsConfig, private readonly statusCallbackUrl: string, timeoutMs = 10_000) {
    // The SDK over undici, no SDK retries (twilio-http-client.ts), as for Twilio's other parts.
    ({ client: this.client, http: this.http } = twilioOverUndici(config.accountSid, config.authToken, timeoutMs));
    if (config.apiBaseUrl) {
      (this.client.api as unknown as { baseUrl: string }).baseUrl = config.apiBaseUrl.replace(/\/$/, "");
      (this.client.messaging as unknown as { baseUrl: string }).baseUrl = messagingBaseUrl(config.apiBaseUrl);
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** Fetches the Messaging Service: proves the credentials and that the service is this account's; a refusal names the variable to fix. */
  async verify(): Promise<void> {
    try {
      await this.client.messaging.v1.services(this.config.messagingServiceSid).fetch();
    } catch (e) {
      const err = classify(e);
      const status = (e as { status?: number }).status;
      const variable = status === 404 ? "TWILIO_RCS_MESSAGING_SERVICE_SID" : "TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN";
      const what = status === 404 ? `Messaging Service ${this.config.messagingServiceSid} not found on this account` : `${err.code} ${err.message}`.trim();
      throw new ProviderError(err.kind === "transient" ? "transient" : "provider", err.code, `${variable}: Twilio RCS check failed: ${what}`);
    }
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    try {
      const msg = await this.client.messages.create({
        to: m.to, messagingServiceSid: this.config.messagingServiceSid, body: m.text, statusCallback: this.statusCallbackUrl,
      });
      return { providerMessageId: msg.sid, status: mapTwilioStatus(msg.status) ?? DeliveryStatus.SENT };
    } catch (e) {
      const err = classify(e);
      const kind = TWILIO_RCS_KIND[err.code];
      throw kind ? new ProviderError(kind, err.code, err.message) : err;
    }
  }
}
