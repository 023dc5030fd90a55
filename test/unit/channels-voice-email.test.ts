import { describe, expect, it } from "vitest";
import type { RenderContext } from "../../server/src/channels/channel";
import { EmailChannel } from "../../server/src/channels/email-channel";
import { supportedLocales } from "../../server/src/channels/locales";
import { VoiceChannel } from "../../server/src/channels/voice-channel";
import { parseXml, textOf, type XmlElement } from "../helpers/xml";

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({
  to: "+14155552671", code: "482915", appName: "Acme", locale: "en", ttlSeconds: 300,
  purpose: null, transaction: null, settings: {}, ...over,
});
const voice = new VoiceChannel();
const email = new EmailChannel();
const elements = (el: XmlElement) => el.children.filter((c): c is XmlElement => typeof c !== "string");

describe("VOICE channel", () => {
  it("the XML checker used below rejects what is not well-formed", () => {
    expect(() => parseXml("<Response><Say>a</Response>")).toThrow();
    expect(() => parseXml("<Response><Say>a & b</Say></Response>")).toThrow();
    expect(() => parseXml('<Response><Say voice=Polly>a</Say></Response>')).toThrow();
    expect(() => parseXml("<A/><B/>")).toThrow();
    expect(parseXml('<?xml version="1.0"?><A x="&amp;"><B>&#60;</B></A>').attrs.x).toBe("&");
  });

  it.each(supportedLocales)("%s: valid TwiML that reads the digits one by one, twice, with a pause between", (locale) => {
    const m = voice.render(ctx({ locale, appName: `Tom & Jerry's "<Shop>"` }));
    expect(m.voice!.twiml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const root = parseXml(m.voice!.twiml);
    expect(root.name).toBe("Response");
    const verbs = elements(root);
    expect(verbs.map((v) => v.name)).toEqual(["Pause", "Say", "Pause", "Say", "Pause", "Say"]);
    const [, first, gap, second] = verbs;
    expect(Number(gap.attrs.length)).toBeGreaterThanOrEqual(1);
    for (const say of [first, second]) {
      // The digits, separated, in an SSML prosody element that slows them down.
      const prosody = elements(say).find((e) => e.name === "prosody")!;
      expect(prosody.attrs.rate).toBe("slow");
      expect(textOf(prosody)).toBe("4, 8, 2, 9, 1, 5");
      expect(say.attrs.language).toBeTruthy();
      expect(say.attrs.voice).toMatch(/^Polly\.[A-Z][a-z]+$/);
    }
    // The app's name survives escaping and comes back verbatim when the XML is read.
    expect(textOf(first)).toContain(`Tom & Jerry's "<Shop>"`);
    // The plain script (for other vendors and the outbox) carries the same digits twice.
    expect(m.voice!.script.split("4, 8, 2, 9, 1, 5")).toHaveLength(3);
  });

  it("uses each locale's Twilio voice language", () => {
    const lang = (locale: string) => parseXml(voice.render(ctx({ locale })).voice!.twiml).children
      .filter((c): c is XmlElement => typeof c !== "string" && c.name === "Say")[0].attrs.language;
    expect(Object.fromEntries(supportedLocales.map((l) => [l, lang(l)]))).toEqual({
      en: "en-US", es: "es-ES", fr: "fr-FR", de: "de-DE", pt: "pt-BR", it: "it-IT", nl: "nl-NL",
      hi: "hi-IN", ar: "arb", zh: "cmn-CN", ja: "ja-JP",
    });
    expect(lang("es-MX")).toBe("es-MX");
    expect(lang("fr-CA")).toBe("fr-CA");
  });
});

describe("EMAIL channel", () => {
  it.each(supportedLocales)("%s: no remote images or resources, and the app name is HTML-escaped", (locale) => {
    const m = email.render(ctx({ locale, to: "ana@example.com", appName: `<script>alert("x")</script><img src=http://evil.example/t.gif>` }));
    const html = m.html!;
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<[^>]*\s(src|href|background)\s*=/i); // no tag loads or links anything
    expect(email.render(ctx({ locale, to: "ana@example.com" })).html).not.toMatch(/src\s*=\s*["']?https?:|<img/i);
    expect(html).not.toMatch(/url\(|<link|@import/i);
    expect(html).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(m.subject).toContain("482915");
    expect(m.text).toContain("482915");
    expect(m.text).not.toMatch(/<[a-z]+ style=/); // the text part is plain text
  });

  it("a transaction's payee is escaped too, and stays on one line in the subject", () => {
    const m = email.render(ctx({ to: "ana@example.com", transaction: { amount: "EUR 10", payee: "Shop <b>\r\nBcc: x@example.com" } }));
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.html).not.toContain("<b>");
    expect(m.html).toContain("Shop &#60;b&#62; Bcc: x@example.com");
  });
});
