import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config";

/**
 * OTP_SECRET keys code hashes, code encryption and the signing-key wrap. Outside production,
 * an unset secret is generated once and kept in the data directory so that a restart does
 * not invalidate codes already sent.
 */
export function resolveSecret(config: Config): string {
  if (config.otpSecret) return config.otpSecret;
  if (config.production) throw new Error("OTP_SECRET is required when NODE_ENV=production");
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, "otp-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
  const secret = readFileSync(file, "utf8").trim();
  config.otpSecret = secret;
  return secret;
}
