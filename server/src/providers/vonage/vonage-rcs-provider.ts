import type { VonageRcsConfig } from "../../config/config";
import { Channel } from "../../verification/enums";
import type { OutboundMessage, Provider, SendResult } from "../provider";
import { VonageMessagesSender } from "./messages-sender";
import { vonageMessages } from "./vonage-sdk";

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
  private readonly sender: VonageMessagesSender;

  constructor(private readonly config: VonageRcsConfig, private readonly statusCallbackUrl: string, timeoutMs = 10_000) {
    this.sender = new VonageMessagesSender(config, timeoutMs);
  }

  /** As for WhatsApp: an empty message is refused with 422 after authentication (nothing is sent), 401 before it. */
  verify(): Promise<void> {
    return this.sender.verify("Vonage Messages API (RCS)");
  }

  send(m: OutboundMessage): Promise<SendResult> {
    return this.sender.send(new (vonageMessages().RCSText)({
      to: m.to.replace(/^\+/, ""), from: this.config.from, text: m.text, ttl: RCS_TTL_SECONDS,
      clientRef: m.deliveryId, webhookUrl: this.statusCallbackUrl,
    }));
  }
}
