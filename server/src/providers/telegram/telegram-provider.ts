import type { TelegramConfig } from "../../config/config";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { ProviderError, type OutboundMessage, type Provider, type SendResult } from "../provider";
import { callTelegramGateway, type TelegramRequestStatus } from "./telegram-client";
import { mapTelegramDeliveryStatus } from "./telegram-report";
import { vendorPrice } from "../../prices/vendor-price";

/**
 * Telegram's `request_cost` is a bare number: the Gateway account is billed in US dollars
 * ($0.01 a code, core.telegram.org/gateway/pricing; the balance is topped up in TON but kept
 * and charged in USD), so it is stored as USD. A refund (not delivered within ttl) is not
 * subtracted: the report says `is_refunded`, kept on the delivery's event.
 */
export const TELEGRAM_PRICE_CURRENCY = "USD";

/** The codes Telegram takes (`code`: "only fully numeric strings between 4 and 8 characters"). */
const TELEGRAM_CODE = /^\d{4,8}$/;

/**
 * TELEGRAM through Telegram's Gateway API, called with `fetch` (Telegram publishes no SDK for
 * it). `sendVerificationMessage` carries our code (so our hashes, attempts and expiry decide,
 * not Telegram's), its validity as `ttl` (an undelivered message is refunded after it), the
 * delivery id as `payload`, and `callback_url` = PUBLIC_URL + /webhooks/telegram/status when
 * PUBLIC_URL is https (Telegram posts reports to https URLs only; without one the delivery
 * stays SENT). No `checkSendAbility` first: it costs a fee of its own, and a number without
 * Telegram is refused by the send itself (PHONE_NUMBER_NOT_AVAILABLE), a permanent failure.
 */
export class TelegramProvider implements Provider {
  readonly name = "telegram";
  readonly channels = [Channel.TELEGRAM] as const;
  readonly credentialVariables = ["TELEGRAM_GATEWAY_TOKEN"] as const;
  private readonly callbackUrl: string | undefined;

  constructor(private readonly config: TelegramConfig, publicUrl: string, private readonly timeoutMs = 10_000) {
    this.callbackUrl = telegramCallbackUrl(publicUrl);
  }

  /**
   * Proves the token at start-up without a fee: `checkVerificationStatus` of a request that
   * can't exist. A valid token gets REQUEST_ID_INVALID back; a refused one ACCESS_TOKEN_INVALID
   * (a `provider` error: start-up stops, naming the variable); unreachable is `transient`.
   */
  async verify(): Promise<void> {
    try {
      await callTelegramGateway(this.config, "checkVerificationStatus", { request_id: "0" }, this.timeoutMs);
    } catch (e) {
      const err = e as ProviderError;
      if (err.code === "REQUEST_ID_INVALID" || err.code === "REQUEST_ID_REQUIRED") return;
      throw new ProviderError(err.kind === "transient" ? "transient" : "provider", err.code, `Telegram Gateway account check failed: ${err.code}${err.code.startsWith("ACCESS_TOKEN") ? " (the token was refused)" : ""}`);
    }
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    if (!m.telegram) throw new ProviderError("permanent", "NOT_TELEGRAM", "The message was not rendered for Telegram");
    if (!TELEGRAM_CODE.test(m.telegram.code)) {
      throw new ProviderError("provider", "CODE_INVALID", "Telegram takes codes of 4 to 8 digits; this app's codes are longer");
    }
    const result = (await callTelegramGateway(this.config, "sendVerificationMessage", {
      phone_number: m.to,
      code: m.telegram.code,
      ttl: m.telegram.ttlSeconds,
      payload: m.deliveryId,
      ...(this.callbackUrl && { callback_url: this.callbackUrl }),
      ...(this.config.senderUsername && { sender_username: this.config.senderUsername }),
    }, this.timeoutMs)) as TelegramRequestStatus | null;
    if (typeof result?.request_id !== "string" || !result.request_id) {
      throw new ProviderError("transient", "NO_REQUEST_ID", "Telegram accepted the message without a request_id");
    }
    const reported = result.delivery_status ? mapTelegramDeliveryStatus(result.delivery_status.status) : null;
    return {
      providerMessageId: result.request_id,
      status: reported === DeliveryStatus.DELIVERED ? reported : DeliveryStatus.SENT,
      price: vendorPrice(result.request_cost, TELEGRAM_PRICE_CURRENCY),
    };
  }
}

/** The report URL Telegram is given: PUBLIC_URL's https address (at most 256 bytes), or none. */
export function telegramCallbackUrl(publicUrl: string): string | undefined {
  const url = `${publicUrl.replace(/\/+$/, "")}/webhooks/telegram/status`;
  return url.startsWith("https://") && Buffer.byteLength(url) <= 256 ? url : undefined;
}
