import { randomUUID } from "node:crypto";
import { vendorPrice } from "../../prices/vendor-price";
import { Webhook } from "standardwebhooks";
import type { HttpProviderConfig } from "../../config/config";
import { DeliveryStatus, type Channel } from "../../verification/enums";
import { fetchJson } from "../fetch-json";
import { ProviderError, type FailureKind, type OutboundMessage, type Provider, type SendResult } from "../provider";

/** What the vendor receives: the rendered message, nothing the gateway keeps to itself. */
export interface HttpProviderMessage {
  id: string;
  channel: Channel;
  to: string;
  text: string;
  locale: string;
  voiceScript?: string;
  subject?: string;
  html?: string;
}

const MAX_MESSAGE_ID = 200;

/**
 * "Bring your own vendor": each rendered message is POSTed as JSON to HTTP_PROVIDER_URL, signed
 * by the Standard Webhooks scheme (webhook-id, webhook-timestamp, webhook-signature) with the
 * `standardwebhooks` package. The webhook-id is the delivery's id, the same on every retry, so
 * the vendor can drop a duplicate. A 2xx `{ "messageId" }` is SENT; 4xx is permanent (the
 * vendor refused this message), except 401/403 (it refused our signature: another vendor may
 * still send it) and 408/429 (try again); 5xx, a timeout or no answer is retried.
 */
export class HttpProvider implements Provider {
  readonly name = "http";
  readonly channels: readonly Channel[];
  readonly credentialVariables = ["HTTP_PROVIDER_URL", "HTTP_PROVIDER_SECRET"] as const;
  private readonly webhook: Webhook;

  constructor(private readonly config: HttpProviderConfig, private readonly timeoutMs = 10_000) {
    this.channels = config.channels;
    this.webhook = new Webhook(config.secret);
  }

  /**
   * Start-up check: a signed `{ "type": "check" }` POST. 401/403 (signature refused) or 404 (no
   * receiver at that URL) fail start-up; no answer or 5xx starts with the circuit open; any other
   * answer proves the URL and the secret.
   */
  async verify(): Promise<void> {
    const res = await this.post(`check_${randomUUID()}`, JSON.stringify({ type: "check" }));
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      throw new ProviderError("provider", `HTTP_${res.status}`, `http provider check failed: ${this.config.url} answered ${res.status}`);
    }
    if (res.status >= 500) throw new ProviderError("transient", `HTTP_${res.status}`, `http provider check failed: ${this.config.url} answered ${res.status}`);
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    const body: HttpProviderMessage = {
      id: m.deliveryId, channel: m.channel, to: m.to, text: m.text, locale: m.locale ?? m.voice?.language ?? "en",
      ...(m.voice && { voiceScript: m.voice.script }),
      ...(m.subject !== undefined && { subject: m.subject }),
      ...(m.html !== undefined && { html: m.html }),
    };
    const res = await this.post(m.deliveryId, JSON.stringify(body));
    if (res.status >= 200 && res.status < 300) {
      const id = (res.json as { messageId?: unknown } | null)?.messageId;
      if (typeof id !== "string" || !id || id.length > MAX_MESSAGE_ID) {
        throw new ProviderError("provider", "BAD_RESPONSE", `The http vendor answered ${res.status} without a messageId (a string of 1 to ${MAX_MESSAGE_ID} characters)`);
      }
      // Optional and additive: `price: { amount, currency }` when the vendor knows what it charged.
      const price = (res.json as { price?: { amount?: unknown; currency?: unknown } } | null)?.price;
      return { providerMessageId: id, status: DeliveryStatus.SENT, price: price && typeof price === "object" ? vendorPrice(price.amount, price.currency) : null };
    }
    throw refusal(res.status, res.json);
  }

  /** One signed POST; a timeout or a connection failure is a transient ProviderError. */
  private post(id: string, payload: string): Promise<{ status: number; json: unknown }> {
    // One instant for the header and the signature (the library signs whole seconds).
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const signature = this.webhook.sign(id, now, payload);
    const timestamp = String(now.getTime() / 1000);
    return fetchJson("The http vendor", this.config.url, {
      method: "POST",
      headers: {
        "content-type": "application/json", "user-agent": "otp-gateway",
        "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature,
      },
      body: payload,
    }, this.timeoutMs);
  }
}

/** A non-2xx answer as a ProviderError; the vendor may name its own `errorCode` / `errorMessage` in the body. */
function refusal(status: number, json: unknown): ProviderError {
  const body = (json && typeof json === "object" ? json : {}) as { errorCode?: unknown; errorMessage?: unknown };
  const code = typeof body.errorCode === "string" && body.errorCode ? body.errorCode.slice(0, 64) : `HTTP_${status}`;
  const message = (typeof body.errorMessage === "string" && body.errorMessage ? body.errorMessage : `The http vendor answered ${status}`).slice(0, 500);
  const kind: FailureKind = status >= 500 || status === 408 || status === 429 ? "transient" : status === 401 || status === 403 ? "provider" : status >= 400 ? "permanent" : "transient";
  return new ProviderError(kind, code, message);
}
