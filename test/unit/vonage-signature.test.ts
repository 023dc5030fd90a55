import { describe, expect, it } from "vitest";
import { checkVonageReceipt, vonageSignature } from "../../server/src/providers/vonage/vonage-signature";
import { signVonageParams } from "../fakes/vonage-fake";
import type { VonageConfig } from "../../server/src/config/config";

const config: VonageConfig = { apiKey: "key", apiSecret: "s", from: "F", signatureSecret: "sig-secret", signatureMethod: "sha256hmac" };
const params = (timestamp: number) => ({ messageId: "m1", status: "delivered", "api-key": "key", timestamp: String(timestamp), nonce: "n" });

describe("Vonage receipt signatures", () => {
  it("matches the stand-in's signing (which mirrors @vonage/sms) for every method", () => {
    for (const m of ["md5hash", "md5hmac", "sha1hmac", "sha256hmac", "sha512hmac"] as const) {
      expect(vonageSignature(params(1000), "sig-secret", m)).toBe(signVonageParams(params(1000), "sig-secret", m));
    }
  });

  it("accepts within ±300 s of our clock and refuses past it, to the second", () => {
    const p = params(1_800_000_000);
    const signed = { ...p, sig: signVonageParams(p, "sig-secret") };
    expect(checkVonageReceipt(config, signed, 1_800_000_300_000)).toBe("ok");
    expect(checkVonageReceipt(config, signed, 1_799_999_700_000)).toBe("ok");
    expect(checkVonageReceipt(config, signed, 1_800_000_300_500)).toBe("stale");
    expect(checkVonageReceipt(config, signed, 1_799_999_699_000)).toBe("stale");
  });

  it("refuses a wrong, truncated or differently-methoded signature without throwing", () => {
    const p = params(1_800_000_000);
    const now = 1_800_000_000_000;
    expect(checkVonageReceipt(config, { ...p, sig: signVonageParams(p, "other") }, now)).toBe("bad_signature");
    expect(checkVonageReceipt(config, { ...p, sig: signVonageParams(p, "sig-secret").slice(0, 10) }, now)).toBe("bad_signature");
    expect(checkVonageReceipt(config, { ...p, sig: signVonageParams(p, "sig-secret", "md5hash") }, now)).toBe("bad_signature");
    expect(checkVonageReceipt({ ...config, signatureMethod: "md5hash" }, { ...p, sig: signVonageParams(p, "sig-secret", "md5hash") }, now)).toBe("ok");
    // A parameter changed after signing (the timestamp included) breaks the signature.
    expect(checkVonageReceipt(config, { ...p, sig: signVonageParams(p, "sig-secret"), timestamp: String(1_800_000_001) }, now)).toBe("bad_signature");
  });
});
