import { hkdfSync } from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import { open, seal } from "../../crypto/aead";

/**
 * TOTP second factor (RFC 6238, 30 s steps, 6 digits — what every authenticator app speaks).
 * Secrets rest encrypted (AES-GCM bound to the user id); an accepted step is remembered so
 * that a code can't be used twice.
 */
export class Totp {
  private readonly key: Buffer;

  constructor(keyMaterial: Buffer) {
    this.key = Buffer.from(hkdfSync("sha256", keyMaterial, "otp-gateway-admin", "totp-secret", 32));
  }

  newSecret(): string {
    return generateSecret();
  }

  uri(secret: string, email: string): string {
    return generateURI({ issuer: "OTP Gateway", label: email, secret });
  }

  seal(userId: string, secret: string): Buffer {
    return seal(this.key, Buffer.from(secret), `totp:${userId}`);
  }

  open(userId: string, sealed: Buffer): string {
    return open(this.key, sealed, `totp:${userId}`).toString();
  }

  /** The time step the code belongs to (one step either side tolerated for clock drift), or null. */
  async check(secret: string, code: string, lastStep: number | null): Promise<number | null> {
    if (!/^\d{6}$/.test(code)) return null;
    const result = await verify({ secret, token: code, epochTolerance: 30 });
    if (!result.valid) return null;
    const step = (result as { timeStep?: number }).timeStep ?? Math.floor(Date.now() / 30_000);
    if (lastStep !== null && step <= lastStep) return null;
    return step;
  }
}
