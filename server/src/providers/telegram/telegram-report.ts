import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { maskDestination } from "../../verification/destination";
import { DeliveryStatus } from "../../verification/enums";
import type { StatusReport } from "../provider";
import type { TelegramRequestStatus } from "./telegram-client";

export const TELEGRAM_TIMESTAMP_HEADER = "x-request-timestamp";
export const TELEGRAM_SIGNATURE_HEADER = "x-request-signature";
/** How far a report's timestamp may be from our clock: a captured report can't be replayed later. */
export const TELEGRAM_REPORT_MAX_AGE_SECONDS = 300;

/** Telegram's DeliveryStatus words in ours; anything else (or none) changes nothing. */
export function mapTelegramDeliveryStatus(status: string): DeliveryStatus | null {
  switch (status) {
    case "sent": return DeliveryStatus.SENT;
    case "delivered": case "read": return DeliveryStatus.DELIVERED;
    // Not delivered or read within `ttl` (Telegram refunds the fee), or withdrawn: the person never saw the code.
    case "expired": case "revoked": return DeliveryStatus.UNDELIVERED;
    default: return null;
  }
}

/**
 * Checks a report as Telegram documents it ("Checking report integrity"): `X-Request-Signature`
 * is the hex HMAC-SHA-256 of `X-Request-Timestamp + "\n" + raw body`, keyed with the SHA-256 of
 * the API token. The timestamp (Unix seconds) must be within TELEGRAM_REPORT_MAX_AGE_SECONDS of
 * `nowMs`. False on any failure.
 */
export function telegramSignatureValid(token: string, timestamp: string | undefined, signature: string | undefined, body: string, nowMs = Date.now()): boolean {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > TELEGRAM_REPORT_MAX_AGE_SECONDS) return false;
  return timingSafeEqual(Buffer.from(signature.toLowerCase(), "hex"), telegramSignature(token, timestamp, body));
}

/** The signature Telegram puts on a report (the stand-in signs with it too). */
export function telegramSignature(token: string, timestamp: string, body: string): Buffer {
  const key = createHash("sha256").update(token).digest();
  return createHmac("sha256", key).update(`${timestamp}\n${body}`).digest();
}

/**
 * An authenticated report (a RequestStatus) as a StatusReport; null when it carries no delivery
 * status we track (a verification_status report, an unknown word). Its raw parameters keep
 * the ids, the status and the refund, the number masked, and never `code_entered`.
 */
export function parseTelegramReport(body: unknown): StatusReport | null {
  const r = (body && typeof body === "object" ? body : {}) as Partial<TelegramRequestStatus>;
  const word = typeof r.delivery_status?.status === "string" ? r.delivery_status.status : "";
  const status = mapTelegramDeliveryStatus(word);
  if (typeof r.request_id !== "string" || !r.request_id || r.request_id.length > 200 || !status) return null;
  const failed = status === DeliveryStatus.UNDELIVERED;
  const raw: Record<string, string> = { request_id: r.request_id, status: word };
  if (typeof r.delivery_status?.updated_at === "number") raw.updated_at = String(r.delivery_status.updated_at);
  if (typeof r.phone_number === "string" && /^\+?\d{7,15}$/.test(r.phone_number)) raw.phone_number = maskDestination(r.phone_number.startsWith("+") ? r.phone_number : `+${r.phone_number}`);
  if (typeof r.is_refunded === "boolean") raw.is_refunded = String(r.is_refunded);
  if (typeof r.request_cost === "number") raw.request_cost = String(r.request_cost);
  if (typeof r.payload === "string") raw.payload = r.payload.slice(0, 128);
  return {
    provider: "telegram", providerMessageId: r.request_id, status,
    errorCode: failed ? (word === "expired" ? "MESSAGE_EXPIRED" : "MESSAGE_REVOKED") : null,
    errorMessage: failed ? (word === "expired" ? "Telegram's message expired without being delivered or read (the fee is refunded)" : "Telegram's message was revoked") : null,
    raw,
  };
}
