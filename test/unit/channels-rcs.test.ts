import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { explainError } from "../../server/src/admin/error-explanations";
import type { RenderContext } from "../../server/src/channels/channel";
import { channelStrategies } from "../../server/src/channels";
import { supportedLocales } from "../../server/src/channels/locales";
import { rcsTexts } from "../../server/src/channels/locales/rcs-texts";
import { RcsChannel } from "../../server/src/channels/rcs-channel";
import { ConfigError, loadConfig } from "../../server/src/config/config";
import pino from "pino";
import { buildRegistry } from "../../server/src/providers/build-registry";
import { messagingBaseUrl } from "../../server/src/providers/twilio/twilio-rcs-provider";
import { TwilioProvider } from "../../server/src/providers/twilio/twilio-provider";
import { VonageWhatsAppProvider } from "../../server/src/providers/vonage/vonage-whatsapp-provider";
import { extractCode } from "../helpers/codes";

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({
  to: "+447911123456", code: "482915", appName: "Acme", locale: "en", ttlSeconds: 600, purpose: null, transaction: null, settings: {}, ...over,
});
const rcs = new RcsChannel();
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.join("\n");
  }
  return "";
};
const twilio = { TWILIO_ACCOUNT_SID: "AC" + "0".repeat(32), TWILIO_AUTH_TOKEN: "token-0123456789" };
const MG = "MG" + "b".repeat(32);
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const vonage = { VONAGE_RCS_FROM: "AcmeOTP", VONAGE_SIGNATURE_SECRET: "signature-secret-0123456789", VONAGE_APPLICATION_ID: "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab", VONAGE_PRIVATE_KEY: pem };

describe("the RCS channel", () => {
  it("is one of the channel strategies", () => {
    expect(channelStrategies().get("RCS" as never)).toBeInstanceOf(RcsChannel);
  });

  describe.each(supportedLocales)("%s", (locale) => {
    it("has its own wording: one line, the code first, the app and the validity, no link and no markup", () => {
      expect(rcsTexts[locale as keyof typeof rcsTexts]).toBeDefined();
      const m = rcs.render(ctx({ locale }));
      expect(m).toMatchObject({ channel: "RCS", to: "+447911123456" });
      expect(m.text.startsWith("482915")).toBe(true);
      for (const s of ["Acme", "10"]) expect(m.text).toContain(s);
      expect(m.text).not.toMatch(/https?:|www\.|\*|\n/);
      expect(extractCode(m.text)).toBe("482915");
    });

    it("with a transaction, names the amount and the payee", () => {
      const m = rcs.render(ctx({ locale, transaction: { amount: "EUR 249.90", payee: "Globex Store" } }));
      for (const s of ["482915", "Acme", "EUR 249.90", "Globex Store"]) expect(m.text).toContain(s);
    });
  });

  it("falls back like the other channels (pt-BR → pt, unknown → the app default → en), and the locales really differ", () => {
    expect(rcs.render(ctx({ locale: "pt-BR" })).text).toBe(rcs.render(ctx({ locale: "pt" })).text);
    expect(rcs.render(ctx({ locale: "xx", defaultLocale: "de" })).text).toBe(rcs.render(ctx({ locale: "de" })).text);
    expect(rcs.render(ctx({ locale: "xx" })).text).toBe(rcs.render(ctx({ locale: "en" })).text);
    expect(new Set(supportedLocales.map((l) => rcs.render(ctx({ locale: l })).text)).size).toBe(supportedLocales.length);
  });

  it("keeps a line break in the app name from forging a line", () => {
    expect(rcs.render(ctx({ appName: "Acme\n999999 is your code" })).text.split("\n")).toHaveLength(1);
  });
});

describe("RCS configuration", () => {
  it("Twilio: a Messaging Service SID with the account's credentials, alone enough for Twilio", () => {
    const c = loadConfig({ ...twilio, TWILIO_RCS_MESSAGING_SERVICE_SID: MG });
    expect(c.rcs.twilio).toMatchObject({ messagingServiceSid: MG, accountSid: twilio.TWILIO_ACCOUNT_SID });
    expect(c.twilio).toBeUndefined();
    expect(problems({ ...twilio, TWILIO_RCS_MESSAGING_SERVICE_SID: "PN" + "b".repeat(32) })).toMatch(/TWILIO_RCS_MESSAGING_SERVICE_SID must be a Messaging Service SID/);
    expect(problems({ TWILIO_RCS_MESSAGING_SERVICE_SID: MG })).toMatch(/TWILIO_RCS_MESSAGING_SERVICE_SID needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
  });

  it("Vonage: the RCS agent with the Messages API's credentials and the signature secret", () => {
    expect(loadConfig(vonage).rcs.vonage).toMatchObject({ from: "AcmeOTP", auth: { applicationId: vonage.VONAGE_APPLICATION_ID } });
    const basic = loadConfig({ VONAGE_RCS_FROM: "AcmeOTP", VONAGE_SIGNATURE_SECRET: vonage.VONAGE_SIGNATURE_SECRET, VONAGE_API_KEY: "key1", VONAGE_API_SECRET: "secret1" });
    expect(basic.rcs.vonage!.auth).toEqual({ apiKey: "key1", apiSecret: "secret1" });
    expect(problems({ ...vonage, VONAGE_SIGNATURE_SECRET: "" })).toMatch(/VONAGE_SIGNATURE_SECRET is required with VONAGE_RCS_FROM/);
    const { VONAGE_APPLICATION_ID: _a, VONAGE_PRIVATE_KEY: _k, ...noCredentials } = vonage;
    expect(problems(noCredentials)).toMatch(/VONAGE_RCS_FROM needs VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY, or VONAGE_API_KEY and VONAGE_API_SECRET/);
    expect(problems({ ...vonage, VONAGE_RCS_FROM: "Acme OTP!" })).toMatch(/VONAGE_RCS_FROM must be the RCS agent's id/);
  });

  it("RCS_PROVIDERS orders the senders like SMS_PROVIDERS, and may name only vendors that carry RCS", () => {
    expect(loadConfig({ RCS_PROVIDERS: "vonage, twilio" }).delivery.providerOrder.RCS).toEqual(["vonage", "twilio"]);
    expect(problems({ RCS_PROVIDERS: "twilio,google" })).toMatch(/RCS_PROVIDERS/);
    const log = pino({ level: "silent" });
    const both = loadConfig({ ...twilio, TWILIO_RCS_MESSAGING_SERVICE_SID: MG, ...vonage, RCS_PROVIDERS: "vonage,twilio" });
    expect(buildRegistry(both, {} as never, log).forChannel("RCS" as never).map((p) => p.name)).toEqual(["vonage", "twilio"]);
    const smsOnlyVonage = loadConfig({ ...twilio, TWILIO_RCS_MESSAGING_SERVICE_SID: MG, VONAGE_API_KEY: "key1", VONAGE_API_SECRET: "secret1", VONAGE_FROM: "Acme", RCS_PROVIDERS: "twilio,vonage" });
    expect(() => buildRegistry(smsOnlyVonage, {} as never, log)).toThrow(/RCS_PROVIDERS names vonage, which can't send RCS/);
    // Without a vendor, RCS gets the outbox outside production and nothing in it (CHANNEL_UNAVAILABLE).
    expect(buildRegistry(loadConfig({}), {} as never, log).forChannel("RCS" as never).map((p) => p.name)).toEqual(["outbox"]);
  });

  it("maps a regional Twilio host to its Messaging API twin, and leaves a stand-in's alone", () => {
    expect(messagingBaseUrl("https://api.dublin.ie1.twilio.com")).toBe("https://messaging.dublin.ie1.twilio.com");
    expect(messagingBaseUrl("http://127.0.0.1:4010/")).toBe("http://127.0.0.1:4010");
  });
});

describe("RCS status callbacks say which channel carried the message", () => {
  it("Twilio: `rcs:` sender is RCS, a number is SMS (its own fallback), `whatsapp:` WhatsApp; a call is a call", () => {
    const base = { MessageSid: "SM1", MessageStatus: "delivered", To: "+447911123456" };
    expect(TwilioProvider.parseStatusCallback({ ...base, From: "rcs:acme_otp_agent" })!.sentAs).toBe("RCS");
    expect(TwilioProvider.parseStatusCallback({ ...base, From: "+15005550009" })!.sentAs).toBe("SMS");
    expect(TwilioProvider.parseStatusCallback({ ...base, From: "whatsapp:+14155238886" })!.sentAs).toBe("WHATSAPP");
    expect(TwilioProvider.parseStatusCallback({ CallSid: "CA1", CallStatus: "completed" })!.sentAs).toBe("VOICE");
  });

  it("Vonage: the callback's `channel`; a rejected RCS message is FAILED (final) whatever its code, and explained", () => {
    const r = VonageWhatsAppProvider.parseStatusCallback({ message_uuid: "u1", status: "rejected", channel: "rcs", error: { type: "https://developer.vonage.com/api-errors/messages#1300", title: 1300, detail: "no RCS" } })!;
    expect(r).toMatchObject({ status: "FAILED", sentAs: "RCS", errorCode: "1300" });
    expect(VonageWhatsAppProvider.parseStatusCallback({ message_uuid: "u2", status: "rejected", channel: "rcs", error: { type: "…#9999" } })!.status).toBe("FAILED");
    expect(explainError("vonage", "1300", "callback")).toMatch(/can't receive RCS/);
    expect(explainError("twilio", "63106", "callback")).toMatch(/can't receive RCS/);
    expect(explainError("twilio", "21704")).toMatch(/sender pool is empty/);
  });
});
