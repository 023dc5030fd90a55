import { describe, expect, it } from "vitest";
import type { RenderContext } from "../../server/src/channels/channel";
import { supportedLocales } from "../../server/src/channels/locales";
import { whatsappLanguageFor } from "../../server/src/channels/templates";
import { WhatsAppChannel } from "../../server/src/channels/whatsapp-channel";
import { bareWhatsAppNumber, parseContentSids } from "../../server/src/config/whatsapp-env";
import { contentBaseUrl, contentSidFor } from "../../server/src/providers/twilio/twilio-whatsapp-provider";
import { extractCode } from "../helpers/codes";

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({
  to: "+447911123456", code: "482915", appName: "Acme", locale: "en", ttlSeconds: 600,
  purpose: null, transaction: null, settings: {}, ...over,
});
const whatsapp = new WhatsAppChannel();
const SID = (c: string) => `HX${c.repeat(32)}`;

describe("the WHATSAPP channel", () => {
  describe.each(supportedLocales)("%s", (locale) => {
    it("shows the code (bold), the app and the validity, and hands the template its values and language", () => {
      const m = whatsapp.render(ctx({ locale }));
      expect(m.channel).toBe("WHATSAPP");
      expect(m.text).toContain("*482915*");
      expect(m.text).toContain("Acme");
      expect(m.text).toContain("10");
      expect(extractCode(m.text)).toBe("482915");
      expect(m.whatsapp).toEqual({ code: "482915", appName: "Acme", minutes: 10, language: whatsappLanguageFor(locale) });
      expect(m.whatsapp!.language).toMatch(/^[a-z]{2}(_[A-Z]{2})?$/);
    });

    it("with a transaction, the text names amount and payee", () => {
      const m = whatsapp.render(ctx({ locale, transaction: { amount: "EUR 249.90", payee: "Globex Store" } }));
      for (const s of ["482915", "Acme", "EUR 249.90", "Globex Store"]) expect(m.text).toContain(s);
    });
  });

  it("keeps a line break in the app name from forging a line", () => {
    const m = whatsapp.render(ctx({ appName: "Acme\n*999999* is your code" }));
    expect(m.text.split("\n")).toHaveLength(1);
    expect(m.whatsapp!.appName).not.toContain("\n");
  });

  it("maps locales to WhatsApp's template languages, regions where WhatsApp has them", () => {
    expect(["pt", "pt-BR", "pt-PT", "en", "en-GB", "es-MX", "zh", "zh-TW", "de-AT", "xx", "fr-CA"].map((t) => whatsappLanguageFor(t)))
      .toEqual(["pt_BR", "pt_BR", "pt_PT", "en", "en_GB", "es_MX", "zh_CN", "zh_TW", "de", "en", "fr"]);
    expect(whatsappLanguageFor(null, "es")).toBe("es");
  });
});

describe("WhatsApp configuration values", () => {
  it("takes the Twilio sender with or without the whatsapp: prefix", () => {
    expect(bareWhatsAppNumber("whatsapp:+14155238886")).toBe("+14155238886");
    expect(bareWhatsAppNumber("+14155238886")).toBe("+14155238886");
  });

  it("takes one Content SID, or one per locale; refuses anything else", () => {
    expect(parseContentSids(SID("a"))).toEqual({ "*": SID("a") });
    expect(parseContentSids(`en:${SID("a")}, pt-BR:${SID("b")},*:${SID("c")}`)).toEqual({ en: SID("a"), "pt-br": SID("b"), "*": SID("c") });
    for (const bad of ["HX123", `en:${SID("a")},en:${SID("b")}`, `e n:${SID("a")}`, `:${SID("a")}`, "", `en:${SID("a")},nonsense`]) {
      expect(parseContentSids(bad)).toBeNull();
    }
  });

  it("chooses the Content SID by exact tag, then language, then the default", () => {
    const sids = { en: SID("a"), "pt-br": SID("b"), pt: SID("c"), "*": SID("d") };
    expect(["pt_BR", "pt-PT", "en_US", "ja"].map((l) => contentSidFor(sids, l))).toEqual([SID("b"), SID("c"), SID("a"), SID("d")]);
    expect(contentSidFor({ es: SID("e"), en: SID("a") }, "ja")).toBe(SID("a"));
  });

  it("derives the Content API's host from a regional REST host, and leaves a stand-in's alone", () => {
    expect(contentBaseUrl("https://api.dublin.ie1.twilio.com")).toBe("https://content.dublin.ie1.twilio.com");
    expect(contentBaseUrl("http://127.0.0.1:4010/")).toBe("http://127.0.0.1:4010");
  });
});
