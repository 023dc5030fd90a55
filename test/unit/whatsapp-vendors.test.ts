import { generateKeyPairSync } from "node:crypto";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explainError } from "../../server/src/admin/error-explanations";
import { ConfigError, loadConfig } from "../../server/src/config/config";
import { TWILIO_WHATSAPP_EXPLANATIONS, TWILIO_WHATSAPP_KIND } from "../../server/src/providers/twilio/whatsapp-errors";
import { TwilioProvider } from "../../server/src/providers/twilio/twilio-provider";
import { VONAGE_MESSAGES_EXPLANATIONS, VONAGE_MESSAGES_KIND } from "../../server/src/providers/vonage/messages-errors";
import { VonageWhatsAppProvider, mapVonageMessageStatus } from "../../server/src/providers/vonage/vonage-whatsapp-provider";

const SID = "HX" + "a".repeat(32);
const twilio = { TWILIO_ACCOUNT_SID: "AC" + "0".repeat(32), TWILIO_AUTH_TOKEN: "token-0123456789" };
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const vonage = {
  VONAGE_WHATSAPP_FROM: "+447700900001", VONAGE_WHATSAPP_TEMPLATE: "otp_code", VONAGE_SIGNATURE_SECRET: "signature-secret-0123456789",
  VONAGE_APPLICATION_ID: "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab", VONAGE_PRIVATE_KEY: pem,
};
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  return [];
};

describe("WhatsApp configuration", () => {
  it("Twilio: the sender with or without whatsapp:, one Content SID or one per language; TWILIO_FROM optional", () => {
    const c = loadConfig({ ...twilio, TWILIO_WHATSAPP_FROM: "whatsapp:+14155238886", TWILIO_WHATSAPP_CONTENT_SID: SID });
    expect(c.twilio).toBeUndefined();
    expect(c.whatsapp.twilio).toMatchObject({ from: "whatsapp:+14155238886", contentSids: { "*": SID } });
    expect(loadConfig({ ...twilio, TWILIO_WHATSAPP_FROM: "+14155238886", TWILIO_WHATSAPP_CONTENT_SID: `es:${SID}` }).whatsapp.twilio!.from).toBe("whatsapp:+14155238886");
  });

  it("Twilio: refuses a half configuration, a bad sender and a bad SID, naming the variable and never the value", () => {
    expect(problems({ ...twilio, TWILIO_WHATSAPP_FROM: "+14155238886" }).join()).toMatch(/TWILIO_WHATSAPP_FROM and TWILIO_WHATSAPP_CONTENT_SID go together/);
    expect(problems({ TWILIO_WHATSAPP_FROM: "+14155238886", TWILIO_WHATSAPP_CONTENT_SID: SID }).join()).toMatch(/needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
    expect(problems({ ...twilio, TWILIO_WHATSAPP_FROM: "14155238886", TWILIO_WHATSAPP_CONTENT_SID: SID }).join()).toMatch(/TWILIO_WHATSAPP_FROM must be the sender's number in E.164/);
    const bad = problems({ ...twilio, TWILIO_WHATSAPP_FROM: "+14155238886", TWILIO_WHATSAPP_CONTENT_SID: "HXsecret-looking-value" }).join();
    expect(bad).toMatch(/TWILIO_WHATSAPP_CONTENT_SID must be a Content SID/);
    expect(bad).not.toContain("secret-looking");
  });

  it("Vonage: JWT auth from the PEM (inline with \\n escapes, or a file path), or the key/secret pair", () => {
    const inline = loadConfig({ ...vonage, VONAGE_PRIVATE_KEY: pem.replace(/\n/g, "\\n") }).whatsapp.vonage!;
    expect(inline).toMatchObject({ from: "447700900001", template: "otp_code", auth: { applicationId: vonage.VONAGE_APPLICATION_ID, privateKey: pem } });
    const file = join(mkdtempSync(join(tmpdir(), "otpg-key-")), "private.key");
    writeFileSync(file, pem);
    expect(loadConfig({ ...vonage, VONAGE_PRIVATE_KEY: file }).whatsapp.vonage!.auth).toMatchObject({ privateKey: pem });
    const { VONAGE_APPLICATION_ID: _a, VONAGE_PRIVATE_KEY: _k, ...rest } = vonage;
    const basic = loadConfig({ ...rest, VONAGE_API_KEY: "key1", VONAGE_API_SECRET: "secret1" });
    expect(basic.whatsapp.vonage!.auth).toEqual({ apiKey: "key1", apiSecret: "secret1" });
    expect(basic.vonage).toBeUndefined(); // no VONAGE_FROM: no SMS through Vonage
  });

  it("Vonage: refuses a missing template, missing credentials, a missing signature secret and a key that isn't one", () => {
    expect(problems({ ...vonage, VONAGE_WHATSAPP_TEMPLATE: "" }).join()).toMatch(/VONAGE_WHATSAPP_FROM and VONAGE_WHATSAPP_TEMPLATE go together/);
    const { VONAGE_APPLICATION_ID: _a, VONAGE_PRIVATE_KEY: _k, ...noCredentials } = vonage;
    expect(problems(noCredentials).join()).toMatch(/needs VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY, or VONAGE_API_KEY and VONAGE_API_SECRET/);
    expect(problems({ ...vonage, VONAGE_SIGNATURE_SECRET: "" }).join()).toMatch(/VONAGE_SIGNATURE_SECRET is required with VONAGE_WHATSAPP_FROM/);
    const notAKey = problems({ ...vonage, VONAGE_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\\nc2VjcmV0\\n-----END PRIVATE KEY-----" }).join();
    expect(notAKey).toMatch(/VONAGE_PRIVATE_KEY must be a PEM private key/);
    expect(notAKey).not.toContain("c2VjcmV0");
    expect(problems({ ...vonage, VONAGE_APPLICATION_ID: "app-1" }).join()).toMatch(/VONAGE_APPLICATION_ID must be the Vonage application's id/);
  });

  it("WHATSAPP_PROVIDERS orders the senders like SMS_PROVIDERS", () => {
    expect(loadConfig({ WHATSAPP_PROVIDERS: "vonage, twilio" }).delivery.providerOrder.WHATSAPP).toEqual(["vonage", "twilio"]);
    expect(problems({ WHATSAPP_PROVIDERS: "twilio,meta" }).join()).toMatch(/WHATSAPP_PROVIDERS/);
  });
});

describe("WhatsApp vendor errors and statuses", () => {
  it("explains the codes that mean 'not on WhatsApp' and 'template refused' in plain words", () => {
    expect(explainError("twilio", "63003")).toMatch(/isn't on WhatsApp/);
    expect(explainError("twilio", "63016")).toMatch(/template/);
    expect(explainError("vonage", "131026", "callback")).toMatch(/isn't on WhatsApp/);
    expect(explainError("vonage", "1022", "worker")).toMatch(/template/);
    // The SMS tables still win for their own codes.
    expect(explainError("twilio", "30003")).toMatch(/unreachable/);
    expect(explainError("vonage", "6", "callback")).toMatch(/anti-spam/);
  });

  it("every permanent WhatsApp code (the ones that start the SMS fallback) has an explanation", () => {
    for (const [table, kinds] of [[TWILIO_WHATSAPP_EXPLANATIONS, TWILIO_WHATSAPP_KIND], [VONAGE_MESSAGES_EXPLANATIONS, VONAGE_MESSAGES_KIND]] as const) {
      for (const [code, kind] of Object.entries(kinds)) if (kind === "permanent" && code !== "1021") expect(table[code], code).toBeTruthy();
    }
  });

  it("maps Twilio's WhatsApp statuses, read included, from the existing callback parser", () => {
    const p = { MessageSid: "SM1", To: "whatsapp:+447911123456", ChannelPrefix: "whatsapp" };
    expect(TwilioProvider.parseStatusCallback({ ...p, MessageStatus: "read" })).toMatchObject({ status: "DELIVERED" });
    expect(TwilioProvider.parseStatusCallback({ ...p, MessageStatus: "undelivered", ErrorCode: "63003" })).toMatchObject({ status: "UNDELIVERED", errorCode: "63003" });
  });

  it("maps the Messages API's statuses and error objects", () => {
    expect(["submitted", "delivered", "read", "rejected", "undeliverable", "deleted"].map(mapVonageMessageStatus))
      .toEqual(["SENT", "DELIVERED", "DELIVERED", "FAILED", "UNDELIVERED", null]);
    const r = VonageWhatsAppProvider.parseStatusCallback({
      message_uuid: "u-1", to: "447911123456", status: "rejected", channel: "whatsapp",
      error: { type: "https://developer.vonage.com/api-errors/messages#1022", title: 1022, detail: "Invalid template" },
    });
    expect(r).toMatchObject({ provider: "vonage", providerMessageId: "u-1", status: "FAILED", errorCode: "1022", errorMessage: "Invalid template" });
    expect(r!.raw.to).toBeUndefined();
    expect(VonageWhatsAppProvider.parseStatusCallback({ status: "delivered" })).toBeNull();
  });
});
