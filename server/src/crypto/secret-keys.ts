import { hkdfSync } from "node:crypto";

/**
 * Independent keys derived from OTP_SECRET with HKDF, one per purpose, so that a key used
 * to hash codes is never also used to encrypt them.
 */
export interface SecretKeys {
  codeHmac: Buffer;
  codeCipher: Buffer;
  keyWrap: Buffer;
  lookup: Buffer;
  /** Seals webhook endpoints' signing secrets (the endpoint id as associated data). */
  webhookSecret: Buffer;
  /** Seals end users' TOTP factor secrets (totp/). */
  totpSecret: Buffer;
}

export function deriveKeys(secret: string): SecretKeys {
  const derive = (info: string) => Buffer.from(hkdfSync("sha256", secret, "otp-gateway", info, 32));
  return {
    codeHmac: derive("code-hmac"),
    codeCipher: derive("code-cipher"),
    keyWrap: derive("signing-key-wrap"),
    lookup: derive("lookup-hash"),
    webhookSecret: derive("webhook-secret"),
    totpSecret: derive("totp-factor-secret"),
  };
}
