import type { Vonage } from "@vonage/server-sdk";
import { DeliveryStatus } from "../../verification/enums";
import { ProviderError, type SendResult } from "../provider";
import { VONAGE_MESSAGES_KIND } from "./messages-errors";
import { classify } from "./messages-classify";
import { vonageServerSdk } from "./vonage-sdk";

/** What a Messages API part (WhatsApp, RCS) needs to reach Vonage: the application's or the account's credentials, and a base URL for a stand-in. */
export interface VonageMessagesAccess {
  auth: { applicationId: string; privateKey: string } | { apiKey: string; apiSecret: string };
  apiBaseUrl?: string;
}

/**
 * The Vonage Messages API as the WhatsApp and RCS providers use it: one SDK client, the
 * credentials check, and a send that turns the answer into a SendResult and every failure into
 * a classified ProviderError. Each provider builds its own message (a WhatsApp template, an
 * RCS text) and keeps its own name for the check's error.
 */
export class VonageMessagesSender {
  private readonly client: Vonage;

  constructor(private readonly access: VonageMessagesAccess, timeoutMs: number) {
    const base = access.apiBaseUrl?.replace(/\/$/, "");
    this.client = new (vonageServerSdk().Vonage)(access.auth, { timeout: timeoutMs, ...(base && { apiHost: base, restHost: base }) });
  }

  /**
   * The Messages API has no read-only call, so the check POSTs an empty message: Vonage
   * authenticates before it validates, so good credentials get 422 (nothing is sent) and bad
   * ones 401. Refused is a `provider` error naming the variables; unreachable is `transient`.
   * `api` names the API in the error ("Vonage Messages API (RCS)").
   */
  async verify(api: string): Promise<void> {
    try {
      await this.client.messages.send({} as never);
    } catch (e) {
      const err = await classify(e);
      if (err.code === "422" || VONAGE_MESSAGES_KIND[err.code] === "permanent") return;
      const variables = "applicationId" in this.access.auth ? "VONAGE_APPLICATION_ID / VONAGE_PRIVATE_KEY" : "VONAGE_API_KEY / VONAGE_API_SECRET";
      throw new ProviderError(err.kind === "transient" ? "transient" : "provider", err.code, `${variables}: ${api} check failed: ${err.code} ${err.message}`);
    }
  }

  /** Sends one message the provider built; its message_uuid is the delivery's vendor id. */
  async send(message: Parameters<Vonage["messages"]["send"]>[0]): Promise<SendResult> {
    try {
      const resp = await this.client.messages.send(message);
      if (!resp.messageUUID) throw new ProviderError("transient", "NO_MESSAGE_ID", "Vonage accepted the message without a message_uuid");
      return { providerMessageId: resp.messageUUID, status: DeliveryStatus.SENT };
    } catch (e) {
      throw e instanceof ProviderError ? e : await classify(e);
    }
  }
}
