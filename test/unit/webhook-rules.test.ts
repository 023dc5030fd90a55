import { describe, expect, it } from "vitest";
import { loadConfig } from "../../server/src/config/config";
import { backoffMs } from "../../server/src/delivery/retry-policy";
import { parseEventTypes } from "../../server/src/webhooks/event-types";
import { checkWebhookUrl, guardedLookup, isInwardAddress } from "../../server/src/webhooks/target-policy";
import { sendWebhook } from "../../server/src/webhooks/webhook-sender";

const production = { requireHttps: true, allowPrivateTargets: false };
const field = (fn: () => unknown) => {
  try {
    fn();
  } catch (err: any) {
    return `${err.code}:${err.extensions?.field}`;
  }
  return "accepted";
};

describe("webhook URLs (SSRF)", () => {
  it("in production: https only, never loopback, private, link-local or metadata addresses, nor credentials", () => {
    expect(checkWebhookUrl("https://hooks.example.com/otp", production)).toBe("https://hooks.example.com/otp");
    for (const url of [
      "http://hooks.example.com/otp", "https://127.0.0.1/x", "https://localhost/x", "https://10.1.2.3/", "https://192.168.0.10/",
      "https://172.20.0.1/", "https://169.254.169.254/latest/meta-data", "https://[::1]/", "https://[::ffff:127.0.0.1]/", "https://[fd00::1]/",
      "https://0.0.0.0/", "https://user:pw@hooks.example.com/", "ftp://hooks.example.com/", "not a url", "",
    ]) expect(field(() => checkWebhookUrl(url, production)), url).toBe("BAD_USER_INPUT:url");
  });

  it("allows loopback and http when the configuration says so (outside production, or WEBHOOK_ALLOW_PRIVATE_TARGETS)", () => {
    const dev = loadConfig({}).webhooks;
    expect(dev).toMatchObject({ requireHttps: false, allowPrivateTargets: true });
    expect(checkWebhookUrl("http://127.0.0.1:9999/hooks", dev)).toBe("http://127.0.0.1:9999/hooks");
    const prod = loadConfig({ NODE_ENV: "production", PUBLIC_URL: "https://otp.example.com", OTP_SECRET: "x".repeat(40) }).webhooks;
    expect(prod).toMatchObject({ requireHttps: true, allowPrivateTargets: false });
    const prodAllowed = loadConfig({ NODE_ENV: "production", PUBLIC_URL: "https://otp.example.com", OTP_SECRET: "x".repeat(40), WEBHOOK_ALLOW_PRIVATE_TARGETS: "true" }).webhooks;
    expect(checkWebhookUrl("https://10.0.0.5/hooks", prodAllowed)).toBe("https://10.0.0.5/hooks");
  });

  it("classifies addresses", () => {
    for (const a of ["127.0.0.1", "10.0.0.1", "100.64.1.1", "169.254.169.254", "::1", "fe80::1", "::ffff:10.0.0.1"]) expect(isInwardAddress(a), a).toBe(true);
    for (const a of ["93.184.216.34", "8.8.8.8", "2606:4700::1111"]) expect(isInwardAddress(a), a).toBe(false);
  });

  it("refuses at connection time a name that resolves inward, and an address literal", async () => {
    const lookup = guardedLookup(production);
    const err = await new Promise<any>((r) => lookup("localhost", {}, (e) => r(e)));
    expect(err?.code).toBe("EPRIVATETARGET");
    const sent = await sendWebhook("https://127.0.0.1:1/x", "whsec_" + Buffer.alloc(24).toString("base64"), "id", "{}", 1000, production);
    expect(sent).toMatchObject({ ok: false, statusCode: null });
    expect(sent.error).toMatch(/EPRIVATETARGET/);
  });
});

describe("webhook event types", () => {
  it("parses lists, refuses unknown types with BAD_USER_INPUT on events", () => {
    expect(parseEventTypes(undefined)).toBeNull();
    expect(parseEventTypes("verification.approved, delivery.updated,verification.approved")).toEqual(["verification.approved", "delivery.updated"]);
    expect(field(() => parseEventTypes("verification.approved,verification.bogus"))).toBe("BAD_USER_INPUT:events");
    expect(field(() => parseEventTypes(","))).toBe("BAD_USER_INPUT:events");
  });
});

describe("webhook retry schedule (the defaults)", () => {
  const retry = loadConfig({}).webhooks.retry;
  it("first retries within seconds, the first three within a minute, never more than an hour apart, for 24 hours", () => {
    expect(retry).toEqual({ baseDelayMs: 5000, maxDelayMs: 3_600_000, windowMs: 86_400_000 });
    for (let run = 0; run < 200; run++) {
      const delays = Array.from({ length: 40 }, (_, i) => backoffMs(i, { ...retry, attemptsPerProvider: 0 }));
      expect(delays[0]).toBeLessThanOrEqual(5000);
      expect(delays[0] + delays[1] + delays[2]).toBeLessThanOrEqual(60_000);
      expect(Math.max(...delays)).toBeLessThanOrEqual(3_600_000);
      expect(delays[30]).toBeGreaterThanOrEqual(1_800_000); // grown to the cap (with jitter: half to all of it)
    }
  });
});
