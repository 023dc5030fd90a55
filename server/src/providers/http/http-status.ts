import { Webhook } from "standardwebhooks";
import { DeliveryStatus } from "../../verification/enums";
import { vendorPrice } from "../../prices/vendor-price";
import type { StatusReport } from "../provider";

/** The status words of POST /webhooks/http/status in our terms. */
const STATUS: Record<string, DeliveryStatus> = {
  delivered: DeliveryStatus.DELIVERED,
  undelivered: DeliveryStatus.UNDELIVERED,
  failed: DeliveryStatus.FAILED,
};

export type HttpCallbackResult = { ok: true; report: StatusReport } | { ok: false; status: 400 | 403; error: string };

/**
 * Authenticates and parses the vendor's status report. The signature (Standard Webhooks, the
 * HTTP_PROVIDER_CALLBACK_SECRET, by default HTTP_PROVIDER_SECRET) is checked over the exact bytes received, and the `standardwebhooks`
 * package refuses a `webhook-timestamp` more than 5 minutes off: a captured report can't be
 * replayed later. Only then is the body read: `{ messageId, status, errorCode?, errorMessage? }`.
 */
export function parseHttpStatusCallback(secret: string, rawBody: string, headers: Record<string, string | string[] | undefined>): HttpCallbackResult {
  const pick = (name: string) => {
    const v = headers[name];
    return typeof v === "string" ? v : "";
  };
  let body: unknown;
  try {
    body = new Webhook(secret).verify(rawBody, {
      "webhook-id": pick("webhook-id"), "webhook-timestamp": pick("webhook-timestamp"), "webhook-signature": pick("webhook-signature"),
    });
  } catch {
    return { ok: false, status: 403, error: "invalid signature" };
  }
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const status = typeof b.status === "string" ? STATUS[b.status] : undefined;
  if (typeof b.messageId !== "string" || !b.messageId || b.messageId.length > 200) return { ok: false, status: 400, error: "messageId must be a string" };
  if (!status) return { ok: false, status: 400, error: 'status must be "delivered", "undelivered" or "failed"' };
  const text = (v: unknown, max: number) => (typeof v === "string" && v ? v.slice(0, max) : null);
  const errorCode = status === DeliveryStatus.DELIVERED ? null : text(b.errorCode, 64);
  const raw: Record<string, string> = { messageId: b.messageId, status: b.status as string };
  if (errorCode) raw.errorCode = errorCode;
  const errorMessage = status === DeliveryStatus.DELIVERED ? null : text(b.errorMessage, 500) ?? `Message ${b.status as string}`;
  if (errorMessage && b.errorMessage) raw.errorMessage = errorMessage;
  // Optional and additive: `price: { amount: "0.0075", currency: "USD" }`; one that doesn't parse is ignored, not refused.
  const price = b.price && typeof b.price === "object" ? vendorPrice((b.price as Record<string, unknown>).amount, (b.price as Record<string, unknown>).currency) : null;
  if (price) raw.price = `${price.amount} ${price.currency}`;
  return { ok: true, report: { provider: "http", providerMessageId: b.messageId, status, errorCode, errorMessage, raw, price } };
}
