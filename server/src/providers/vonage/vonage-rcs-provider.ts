import { Vonage } from "@vonage/server-sdk";
import { RCSText } from "@vonage/messages";
import type { VonageRcsConfig } from "../../config/config";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { ProviderError, type OutboundMessage, type Provider, type SendResult } from "../provider";
import { VONAGE_MESSAGES_KIND } from "./messages-errors";
import { classify } from "./vonage-whatsapp-provider";

/**
 * How long Vonage keeps trying to deliver (seconds). Its default is 72 hours; a code is worth
 * nothing after its validity (at most 10 minutes in production), and a message that can't get
 * through in that time should come back `rejected` so the next step or the fallback moves on.
 */
export const RCS_TTL_SECONDS = 600;

/**
 * RCS through Vonage's Messages API: a `text` message on `channel: rcs` from the RCS agent
 * (VONAGE_RCS_FROM), authenticated like WhatsApp (JWT with the application's key, or Basic
 * with the key/secret pair). No `failover` array: a device without RCS comes back `rejected`
 * (a permanent failure) and the gateway's own workflow or fallback decides what is next, so
 * every send is one delivery with its own status and price. Each message names its own status
 * webhook; the callbacks are signed JWTs (messages-signature.ts) with `channel: "rcs"`.
 * Shares the name "vonage" — and one circuit breaker — with Vonage's SMS and WhatsApp parts.
 */
export class VonageRcsProvider implements Provider {
  readonly name = "vonage";
  readonly channels = [Channel.RCS] as const;
  private readonly client: Vonage;

  constructor(private readonly config: VonageRcsConfig, private readonly statusCallbackUrl: string, timeoutMs = 10_000) {
    const base = config.apiBaseUrl?.replace(/\/$/, "");
    this.client = new Vonage(config.auth, { timeout: timeoutMs, ...(base && { apiHost: base, restHost: base }) });
  }

  /** As for WhatsApp: an empty message is refused with 422 after authentication (nothing is sent), 401 before it. */
  async verify(): Promise<void> {
    try {
      await this.client.messages.send({} as never);
    } catch (e) {
      const err = await classify(e);
      if (err.code === "422" || VONAGE_MESSAGES_KIND[err.code] === "permanent") return;
      const variables = "applicationId" in this.config.auth ? "VONAGE_APPLICATION_ID / VONAGE_PRIVATE_KEY" : "VONAGE_API_KEY / VONAGE_API_SECRET";
      throw new ProviderError(err.kind === "transient" ? "transient" : "provider", err.code, `${variables}: Vonage Messages API (RCS) check failed: ${err.code} ${err.message}`);
    }
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    try {
      const resp = await this.client.messages.send(new RCSText({
        to: m.to.replace(/^\+/, ""), from: this.config.from, text: m.text, ttl: RCS_TTL_SECONDS,
        clientRef: m.deliveryId, webhookUrl: this.statusCallbackUrl,
      }));
      if (!resp.messageUUID) throw new ProviderError("transient", "NO_MESSAGE_ID", "Vonage accepted the message without a message_uuid");
      return { providerMessageId: resp.messageUUID, status: DeliveryStatus.SENT };
    } catch (e) {
      throw e instanceof ProviderError ? e : await classify(e);
    }
  }
}
