import { createHmac, randomInt } from "node:crypto";
import { open, seal } from "../crypto/aead";
import type { SecretKeys } from "../crypto/secret-keys";

/** What a code is bound to besides its verification: its purpose and the transaction it authorizes. */
export interface CodeBinding { purpose: string | null; transaction: { amount: string; payee: string } | null }

/** A uniformly random numeric code of `length` digits (leading zeros kept). */
export function generateCode(length: number): string {
  return randomInt(0, 10 ** length).toString().padStart(length, "0");
}

/**
 * HMAC-SHA-256 of the code together with its verification, purpose and transaction, so that
 * a code verifies only for the verification (and the payment) it was sent for. The digest is
 * compared inside one UPDATE statement: it is keyed, so a timing difference in comparing two
 * digests tells an attacker nothing about the code.
 */
export function hashCode(keys: SecretKeys, verificationId: string, binding: CodeBinding, code: string): Buffer {
  return createHmac("sha256", keys.codeHmac)
    .update(JSON.stringify([verificationId, binding.purpose, binding.transaction?.amount ?? null, binding.transaction?.payee ?? null, code]))
    .digest();
}

/** The worker needs the code to render the message: it travels through the outbox encrypted, never in clear. */
export function encryptCode(keys: SecretKeys, verificationId: string, code: string): Buffer {
  return seal(keys.codeCipher, Buffer.from(code), verificationId);
}

export function decryptCode(keys: SecretKeys, verificationId: string, sealed: Buffer): string {
  return open(keys.codeCipher, sealed, verificationId).toString();
}

export const CODE_PATTERN = /^[0-9]{4,10}$/;
