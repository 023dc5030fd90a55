import { createHash, timingSafeEqual } from "node:crypto";
import { jwtVerify } from "jose";
import { DeliveryStatus } from "../../verification/enums";
import { vendorPrice } from "../../prices/vendor-price";
import type { StatusReport } from "../provider";

export const MESSAGEBIRD_SIGNATURE_HEADER = "messagebird-signature-jwt";

/** SMS and voice-message recipient statuses in our terms; anything else changes nothing. */
export function mapMessageBirdStatus(status: string): DeliveryStatus | null {
  switch (status) {
    case "scheduled": case "sent": case "buffered": case "calling": return DeliveryStatus.SENT;
    case "delivered": case "answered": return DeliveryStatus.DELIVERED;
    case "expired": case "busy": case "machine": case "no_answer": return DeliveryStatus.UNDELIVERED;
    case "delivery_failed": case "failed": return DeliveryStatus.FAILED;
    default: return null;
  }
}

/** Status report error codes (`statusErrorCode`, GSM MAP causes) MessageBird names most, for the timeline. */
export const MESSAGEBIRD_DLR_ERRORS: Record<string, string> = {
  "1": "Unknown subscriber", "5": "Unidentified subscriber", "9": "Illegal subscriber", "11": "Teleservice not provisioned",
  "13": "Call barred", "21": "Facility not supported", "27": "Absent subscriber", "31": "Subscriber busy",
  "32": "SMS delivery failure", "34": "System failure", "36": "Unexpected data value", "103": "Subscriber absent",
  "104": "Call barred by the operator", "105": "Number not in use",
};

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest();
const hashMatches = (claim: unknown, data: string | Buffer) => {
  if (typeof claim !== "string" || !/^[0-9a-f]{64}$/i.test(claim)) return false;
  return timingSafeEqual(Buffer.from(claim, "hex"), sha256(data));
};

/**
 * Checks `MessageBird-Signature-JWT` as MessageBird documents it: an HS256/384/512 JWT signed
 * with the account's signing key, issuer "MessageBird", within its `nbf`/`exp` window (a minute
 * wide, 5 s of clock skew allowed: a captured report can't be replayed later), with a `jti`, a
 * `url_hash` (SHA-256, hex) of the exact URL called, and a `payload_hash` of the body when there
 * is one. False on any failure.
 */
export async function messageBirdSignatureValid(signingKey: string, jwt: string | undefined, url: string, body: string): Promise<boolean> {
  if (!jwt) return false;
  try {
    const { payload } = await jwtVerify(jwt, new TextEncoder().encode(signingKey), {
      issuer: "MessageBird", algorithms: ["HS256", "HS384", "HS512"], clockTolerance: 5, requiredClaims: ["exp", "nbf", "jti"],
    });
    if (!hashMatches(payload.url_hash, url)) return false;
    if (body.length > 0 ? !hashMatches(payload.payload_hash, body) : payload.payload_hash !== undefined && !hashMatches(payload.payload_hash, "")) return false;
    return true;
  } catch {
    return false;
  }
}

/**
 * A status report (already authenticated) as a StatusReport: query parameters (`GET`, the
 * legacy default) merged with a JSON or form body. Null when it names no message or no status we track.
 */
export function parseMessageBirdStatus(params: Record<string, string>): StatusReport | null {
  const id = params.id;
  const status = mapMessageBirdStatus(params.status ?? "");
  if (!id || !status) return null;
  const failed = status === DeliveryStatus.UNDELIVERED || status === DeliveryStatus.FAILED;
  const code = failed && params.statusErrorCode && params.statusErrorCode !== "0" ? params.statusErrorCode : null;
  const message = failed ? (code ? MESSAGEBIRD_DLR_ERRORS[code] : undefined) ?? params.statusReason ?? `Message ${params.status}` : null;
  // A report that carries the message's price (`price[amount]`, `price[currency]`) sets it; MessageBird's send answer has none.
  const price = vendorPrice(params["price[amount]"] ?? params["price.amount"], params["price[currency]"] ?? params["price.currency"]);
  return { provider: "messagebird", providerMessageId: id, status, errorCode: code, errorMessage: message, raw: { ...params }, price };
}
