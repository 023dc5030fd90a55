import { createHash, timingSafeEqual } from "node:crypto";
import { decodeJwt, decodeProtectedHeader } from "jose";
import type { ReceiptCheck } from "./vonage-signature";
import { vonageJwt } from "./vonage-sdk";

/** How old a signed callback may be: Vonage signs when it sends, and a replay outside this window is refused. */
export const MAX_CALLBACK_AGE_SECONDS = 300;
/** Clock skew allowed the other way (a token "from the future"). */
const MAX_SKEW_SECONDS = 60;

export interface MessagesCallbackAuth {
  signatureSecret: string;
  /** When known, the token's `api_key` claim must name our account. */
  apiKey?: string;
}

/**
 * A Messages API status callback is authentic when its `Authorization: Bearer` JWT is signed
 * HS256 with the account's signature secret (checked by @vonage/jwt), was issued within the
 * last five minutes (`iat`), names our API key, and its `payload_hash` is the SHA-256 of the
 * exact body received — the last binds the token to this body, so a token lifted from one
 * callback can't carry another.
 */
export function checkMessagesCallback(auth: MessagesCallbackAuth, authorization: string | undefined, rawBody: string, nowMs = Date.now()): ReceiptCheck {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!token) return "bad_signature";
  try {
    if (decodeProtectedHeader(token).alg !== "HS256") return "bad_signature";
    if (!vonageJwt().verifySignature(token, auth.signatureSecret)) return "bad_signature";
    const claims = decodeJwt(token);
    if (auth.apiKey && claims.api_key !== undefined && claims.api_key !== auth.apiKey) return "bad_signature";
    const expected = createHash("sha256").update(rawBody, "utf8").digest("hex");
    const given = typeof claims.payload_hash === "string" ? claims.payload_hash.toLowerCase() : "";
    if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return "bad_signature";
    // Judged after the signature, as for SMS receipts: only a genuine `iat` is worth judging.
    const now = Math.floor(nowMs / 1000);
    if (typeof claims.iat !== "number" || now - claims.iat > MAX_CALLBACK_AGE_SECONDS || claims.iat - now > MAX_SKEW_SECONDS) return "stale";
    return "ok";
  } catch {
    return "bad_signature";
  }
}
