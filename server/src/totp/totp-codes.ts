import { timingSafeEqual } from "node:crypto";
import { generateSecret, generateSync } from "otplib";

/** RFC 6238 as every authenticator app speaks it; the contract fixes these, so they are not settings. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps of clock drift tolerated either way (the phone's clock against ours). */
export const TOTP_DRIFT_STEPS = 1;
export const TOTP_CODE = /^\d{6}$/;

/** Milliseconds since the epoch: Date.now in production, a controllable clock in tests. */
export type Clock = () => number;

/** A fresh secret: 20 random bytes (160 bits, RFC 4226's recommendation), base32 without padding. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export const stepAt = (ms: number) => Math.floor(ms / 1000 / TOTP_PERIOD_SECONDS);

/**
 * The time steps within the drift window whose code is `code`, oldest first (normally none or
 * one). Every candidate is computed and compared in constant time, so the answer's timing
 * doesn't say which step matched.
 */
export function matchingSteps(secret: string, code: string, nowMs: number): number[] {
  const now = stepAt(nowMs);
  const given = Buffer.from(code);
  const found: number[] = [];
  for (let step = now - TOTP_DRIFT_STEPS; step <= now + TOTP_DRIFT_STEPS; step++) {
    const expected = Buffer.from(generateSync({ secret, epoch: step * TOTP_PERIOD_SECONDS, period: TOTP_PERIOD_SECONDS, digits: TOTP_DIGITS, algorithm: "sha1" }));
    if (expected.length === given.length && timingSafeEqual(expected, given)) found.push(step);
  }
  return found;
}

/**
 * The Key Uri Format URI (github.com/google/google-authenticator/wiki/Key-Uri-Format) in the
 * contract's order: issuer and account name in the path, the issuer again as a parameter.
 */
export function totpUri(issuer: string, account: string, secret: string): string {
  const params = `secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD_SECONDS}`;
  return `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(account)}?${params}`;
}
