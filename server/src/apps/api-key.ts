import { hash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API keys look like `otpk_<id>_<secret>`: the id finds the row, the secret is checked
 * against its SHA-256 (keys are 256-bit random, so a fast hash is the right one here).
 */
const KEY_PATTERN = /^otpk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey { id: string; secret: string; key: string; secretHash: Buffer }

export function generateApiKey(): NewApiKey {
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { id, secret, key: `otpk_${id}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseApiKey(key: string): { id: string; secret: string } | null {
  const m = KEY_PATTERN.exec(key);
  return m ? { id: m[1], secret: m[2] } : null;
}

/** Node's one-shot hash: every API request checks a key, and a Hash object per call was ~2 % of a requestOtp's CPU. */
export function hashSecret(secret: string): Buffer {
  return hash("sha256", secret, "buffer") as unknown as Buffer;
}

export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const candidate = hashSecret(secret);
  return storedHash.length === candidate.length && timingSafeEqual(candidate, storedHash);
}

/** Reads `Bearer <key>` (any case, surrounding space ignored). */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== "string") return null;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}
