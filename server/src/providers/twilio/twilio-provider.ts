import twilio from "twilio";
import { vendorPrice } from "../../prices/vendor-price";
import { twilioOverUndici, type TwilioHttpClient } from "./twilio-http-client";
import type { TwilioConfig } from "../../config/config";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { senderForMessage } from "../sender";
import { ProviderError, type OutboundMessage, type Provider, type SendResult, type StatusReport } from "../provider";

type TwilioClient = ReturnType<typeof twilio>;

/** Twilio error codes that no retry or other vendor will fix (the number itself is the problem). */
const PERMANENT = new Set([21211, 21214, 21217, 21407, 21421, 21610, 21612, 21614, 13224, 13225, 13226]);
/** Codes that mean this account can't send it (credentials, sender number, region permissions), where another vendor may. */
const PROVIDER = new Set([20003, 20005, 20008, 21408, 21603, 21606, 30002, 30007]);

/** Carrier error codes of undelivered messages, so the dashboard can say more than a number. */
const CALLBACK_ERRORS: Record<string, string> = {
  "30001": "Queue overflow", "30002": "Account suspended", "30003": "Unreachable destination handset",
  "30004": "Message blocked", "30005": "Unknown destination handset", "30006": "Landline or unreachable carrier",
  "30007": "Message filtered by the carrier", "30008": "Unknown error", "30010": "Message price exceeds max price",
};

/** Twilio's message/call status words in our terms. */
export function mapTwilioStatus(status: string): DeliveryStatus | null {
  switch (status) {
    case "accepted": case "scheduled": case "queued": case "sending": case "initiated": case "ringing":
      return DeliveryStatus.SENT;
    case "sent": case "in-progress":
      return DeliveryStatus.SENT;
    case "delivered": case "read": case "completed":
      return DeliveryStatus.DELIVERED;
    case "undelivered": case "busy": case "no-answer":
      return DeliveryStatus.UNDELIVERED;
    case "failed": case "canceled":
      return DeliveryStatus.FAILED;
    default:
      return null;
  }
}

export class TwilioProvider implements Provider {
  readonly name = "twilio";
  readonly channels = [Channel.SMS, Channel.VOICE] as const;
  readonly credentialVariables = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"] as const;
  private readonly client: TwilioClient;
  private readonly http: TwilioHttpClient;

  constructor(private readonly config: TwilioConfig, private readonly statusCallbackUrl: string, timeoutMs = 10_000) {
    // The SDK over undici, no SDK retries (twilio-http-client.ts): its axios transport cost more CPU per message than the rest of a send.
    ({ client: this.client, http: this.http } = twilioOverUndici(config.accountSid, config.authToken, timeoutMs));
    // The SDK's regional edge settings only rename Twilio's host; a full base URL reaches any stand-in.
    if (config.apiBaseUrl) (this.client.api as unknown as { baseUrl: string }).baseUrl = config.apiBaseUrl.replace(/\/$/, "");
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** Fetches the account: refused credentials throw a `provider` error, an unreachable Twilio a `transient` one. */
  async verify(): Promise<void> {
    try {
      await this.client.api.v2010.accounts(this.config.accountSid).fetch();
    } catch (e) {
      const err = classify(e);
      throw new ProviderError(err.kind === "transient" ? "transient" : "provider", err.code, `Twilio account check failed: ${describe(e)}`);
    }
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    const from = senderForMessage(this.config.from, m, "Twilio");
    try {
      if (m.channel === Channel.VOICE) {
        const call = await this.client.calls.create({
          to: m.to, from, twiml: m.voice!.twiml,
          statusCallback: this.statusCallbackUrl, statusCallbackEvent: ["completed"],
        });
        return { providerMessageId: call.sid, status: mapTwilioStatus(call.status) ?? DeliveryStatus.SENT };
      }
      const msg = await this.client.messages.create({ to: m.to, from, body: m.text, statusCallback: this.statusCallbackUrl });
      // `price` is null at creation in practice (Twilio fills it in later and its status callbacks don't carry it): kept when present.
      return { providerMessageId: msg.sid, status: mapTwilioStatus(msg.status) ?? DeliveryStatus.SENT, price: vendorPrice(msg.price, msg.priceUnit) };
    } catch (e) {
      throw classify(e);
    }
  }

  /**
   * A message or call status callback (already authenticated) as a StatusReport; null when it
   * names no message or a status we don't track. A call that ends unanswered carries no
   * ErrorCode, so its CallStatus ("no-answer", "busy") is the error message.
   */
  static parseStatusCallback(params: Record<string, string>): StatusReport | null {
    const isCall = !!params.CallSid && !params.MessageSid;
    const id = isCall ? params.CallSid : params.MessageSid ?? params.SmsSid;
    const word = isCall ? params.CallStatus : params.MessageStatus ?? params.SmsStatus;
    const status = word ? mapTwilioStatus(word) : null;
    if (!id || !status) return null;
    const failed = status === DeliveryStatus.UNDELIVERED || status === DeliveryStatus.FAILED;
    const code = params.ErrorCode || null;
    const message = params.ErrorMessage || (code ? CALLBACK_ERRORS[code] ?? `Twilio error ${code}` : failed ? `${isCall ? "Call" : "Message"} ${word}` : null);
    return { provider: "twilio", providerMessageId: id, status, errorCode: code, errorMessage: message, raw: { ...params }, sentAs: isCall ? Channel.VOICE : messageChannel(params.From) };
  }

  /** X-Twilio-Signature over the exact URL Twilio called (PUBLIC_URL + path + query) and the POSTed params. */
  static signatureValid(authToken: string, signature: string | undefined, url: string, params: Record<string, string>): boolean {
    if (!signature) return false;
    return twilio.validateRequest(authToken, signature, url, params);
  }
}

/**
 * The channel a Message went out on, from its sender: `rcs:<sender>` for RCS, `whatsapp:+…` for
 * WhatsApp, a number or sender id for SMS — so an RCS message that a Messaging Service sent as
 * SMS itself (the device has no RCS) says so in its callbacks.
 */
function messageChannel(from: string | undefined): Channel | null {
  if (!from) return null;
  if (from.startsWith("rcs:")) return Channel.RCS;
  if (from.startsWith("whatsapp:")) return Channel.WHATSAPP;
  return Channel.SMS;
}

function describe(e: unknown): string {
  const err = e as { status?: number; code?: number; message?: string };
  return err.code ? `${err.code} ${err.message ?? ""}`.trim() : err.message ?? String(e);
}

/** Twilio's RestException carries the HTTP status and Twilio's own error code. */
export function classify(e: unknown): ProviderError {
  const err = e as { status?: number; code?: number | string; message?: string };
  const status = typeof err.status === "number" ? err.status : undefined;
  const code = typeof err.code === "number" ? err.code : undefined;
  const message = (err.message ?? "Twilio request failed").slice(0, 500);
  if (code !== undefined && PERMANENT.has(code)) return new ProviderError("permanent", String(code), message);
  if (code !== undefined && PROVIDER.has(code)) return new ProviderError("provider", String(code), message);
  if (status === undefined || status === 429 || status >= 500) return new ProviderError("transient", String(code ?? status ?? (err.code || "NETWORK")), message);
  if (status === 401 || status === 403) return new ProviderError("provider", String(code ?? status), message);
  return new ProviderError("permanent", String(code ?? status), message);
}
