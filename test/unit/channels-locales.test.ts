import { describe, expect, it } from "vitest";
import type { RenderContext } from "../../server/src/channels/channel";
import { EmailChannel } from "../../server/src/channels/email-channel";
import { supportedLocales } from "../../server/src/channels/locales";
import { SmsChannel } from "../../server/src/channels/sms-channel";
import { pickLocale, resolveLocale, voiceFor } from "../../server/src/channels/templates";
import { VoiceChannel } from "../../server/src/channels/voice-channel";
import { extractCode } from "../helpers/codes";
import { parseXml } from "../helpers/xml";

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({
  to: "+14155552671", code: "482915", appName: "Acme", locale: "en", ttlSeconds: 300,
  purpose: null, transaction: null, settings: {}, ...over,
});
const sms = new SmsChannel();
const voice = new VoiceChannel();
const email = new EmailChannel();
const payment = { amount: "EUR 249.90", payee: "Globex Store" };

describe("every locale renders every channel", () => {
  it("covers the issue's languages", () => {
    expect([...supportedLocales].sort()).toEqual(["ar", "de", "en", "es", "fr", "hi", "it", "ja", "nl", "pt", "zh"]);
  });

  describe.each(supportedLocales)("%s", (locale) => {
    it("SMS carries the app name and the code, and a code reader finds the code", () => {
      const m = sms.render(ctx({ locale }));
      expect(m.channel).toBe("SMS");
      expect(m.text).toContain("Acme");
      expect(m.text).toContain("482915");
      expect(extractCode(m.text)).toBe("482915");
    });

    it("SMS with a transaction carries amount and payee (dynamic linking)", () => {
      const m = sms.render(ctx({ locale, transaction: payment }));
      for (const s of ["Acme", "482915", "EUR 249.90", "Globex Store"]) expect(m.text).toContain(s);
    });

    it("VOICE speaks the app name and the digits in the locale's voice", () => {
      const m = voice.render(ctx({ locale }));
      expect(m.text).toContain("Acme");
      expect(m.voice!.script).toContain("4, 8, 2, 9, 1, 5");
      expect(m.voice!.language).toBe(voiceFor(locale).language);
      const say = parseXml(m.voice!.twiml).children.filter((c) => typeof c !== "string" && c.name === "Say");
      expect(say.length).toBeGreaterThanOrEqual(2);
      for (const s of say) if (typeof s !== "string") expect(s.attrs.voice).toMatch(/^Polly\./);
      expect(m.voice!.twiml).toContain("Acme");
    });

    it("VOICE with a transaction speaks amount and payee", () => {
      const m = voice.render(ctx({ locale, transaction: payment }));
      for (const s of ["Acme", "EUR 249.90", "Globex Store"]) {
        expect(m.voice!.script).toContain(s);
        expect(m.voice!.twiml).toContain(s);
      }
    });

    it("EMAIL has a subject, a text and an HTML part with the app name and the code", () => {
      const m = email.render(ctx({ locale, to: "ana@example.com" }));
      for (const part of [m.subject!, m.text, m.html!]) {
        expect(part).toContain("Acme");
        expect(part).toContain("482915");
      }
      expect(m.html).toContain(`lang="${locale}"`);
      expect(m.html).toContain(`dir="${locale === "ar" ? "rtl" : "ltr"}"`);
    });

    it("EMAIL with a transaction states amount and payee in subject, text and HTML", () => {
      const m = email.render(ctx({ locale, to: "ana@example.com", transaction: payment }));
      for (const part of [m.subject!, m.text, m.html!]) {
        expect(part).toContain("EUR 249.90");
        expect(part).toContain("Globex Store");
      }
    });
  });

  it("the locales are really translated: no two share their SMS wording", () => {
    const texts = supportedLocales.map((locale) => sms.render(ctx({ locale })).text);
    expect(new Set(texts).size).toBe(supportedLocales.length);
  });
});

describe("locale fallback", () => {
  it('"pt-BR" → pt, in the Brazilian voice; "pt-PT" → pt in the European one', () => {
    expect(resolveLocale("pt-BR", "en")).toBe("pt");
    expect(sms.render(ctx({ locale: "pt-BR" })).text).toBe(sms.render(ctx({ locale: "pt" })).text);
    expect(sms.render(ctx({ locale: "pt-BR" })).text).toContain("código");
    expect(voice.render(ctx({ locale: "pt-BR" })).voice!.twiml).toContain('language="pt-BR"');
    expect(voice.render(ctx({ locale: "pt-PT" })).voice!.twiml).toContain('language="pt-PT"');
    expect(voice.render(ctx({ locale: "es" })).voice!.twiml).toContain('language="es-ES"');
    expect(voice.render(ctx({ locale: "ja" })).voice!.twiml).toContain('language="ja-JP"');
    expect(voice.render(ctx({ locale: "en-gb" })).voice!.language).toBe("en-GB");
  });

  it('"xx" → the app default → en', () => {
    expect(resolveLocale("xx", "de")).toBe("de");
    expect(resolveLocale("xx", "yy")).toBe("en");
    expect(resolveLocale(null, "fr-CA")).toBe("fr");
    expect(sms.render(ctx({ locale: "xx", defaultLocale: "de" })).text).toContain("ist Ihr Acme-Code");
    expect(sms.render(ctx({ locale: "xx", defaultLocale: "zz" })).text).toContain("is your Acme code");
    expect(sms.render(ctx({ locale: "xx" })).text).toContain("is your Acme code");
  });

  it("pickLocale keeps the requested tag (with its region) when the language is spoken, else the app default, else en", () => {
    expect(pickLocale("pt-BR", "en")).toBe("pt-BR");
    expect(pickLocale("xx-YY", "es")).toBe("es");
    expect(pickLocale(null, "ja")).toBe("ja");
    expect(pickLocale("xx", "yy")).toBe("en");
    expect(pickLocale(undefined, undefined)).toBe("en");
  });
});
