import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { VonageConfig, VonageSignatureMethod } from "../../config/config";

/** A signed receipt whose `timestamp` is further than this from our clock is refused (a replay, or a stale capture). */
export const SIGNATURE_WINDOW_SECONDS = 300;

export type ReceiptCheck = "ok" | "bad_signature" | "stale";

/**
 * Authenticates a Vonage delivery receipt (SMS API "signed webhooks"). The signed string is
 * Vonage's: every parameter but `sig`, sorted by name, as `&name=value` with `&` and `=`
 * inside values replaced by `_`; then HMAC-<hash> keyed by the signature secret (Vonage sends
 * it upper-case hex), or for `md5hash` a plain MD5 of the string followed by the secret
 * (lower-case). This is what `@vonage/sms` `verifySignature` computes — reimplemented here
 * because the SDK compares with `===` and ignores the timestamp.
 *
 * The comparison is constant-time (case-folded first: Vonage's case differs by method), and
 * the signed `timestamp` (Unix seconds) must lie within ±5 minutes of our clock, so a captured
 * receipt cannot be replayed later.
 */
export function checkVonageReceipt(config: VonageConfig, params: Record<string, string>, nowMs = Date.now()): ReceiptCheck {
  const secret = config.signatureSecret;
  if (!secret || typeof params.sig !== "string" || !params.sig) return "bad_signature";
  const expected = vonageSignature(params, secret, config.signatureMethod);
  if (!sameText(params.sig.toLowerCase(), expected.toLowerCase())) return "bad_signature";
  // Checked after the signature: the timestamp is one of the signed parameters, so only a genuine one is worth judging.
  const ts = Number(params.timestamp);
  if (!/^\d{9,11}$/.test(params.timestamp ?? "") || Math.abs(nowMs / 1000 - ts) > SIGNATURE_WINDOW_SECONDS) return "stale";
  return "ok";
}

/** Vonage's signature over webhook parameters (see checkVonageReceipt). */
export function vonageSignature(params: Record<string, string>, secret: string, method: VonageSignatureMethod): string {
  let signed = "";
  for (const key of Object.keys(params).filter((k) => k !== "sig").sort()) signed += `&${key}=${String(params[key]).replace(/[&=]/g, "_")}`;
  if (method === "md5hash") return createHash("md5").update(signed + secret).digest("hex");
  return createHmac(method.replace("hmac", ""), secret).update(signed).digest("hex").toUpperCase();
}

/**
 * Without a signature secret (outside production only) a receipt must at least name our API
 * key. That key is not secret (it travels in every receipt), so this only keeps out strays;
 * still compared in constant time.
 */
export function namesOurApiKey(config: VonageConfig, params: Record<string, string>): boolean {
  return typeof params["api-key"] === "string" && sameText(params["api-key"], config.apiKey);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
