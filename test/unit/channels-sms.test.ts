import { describe, expect, it } from "vitest";
import type { RenderContext } from "../../server/src/channels/channel";
import { isGsm7, smsSegments } from "../../server/src/channels/sms-segments";
import { SMS_APP_NAME_MAX, SmsChannel } from "../../server/src/channels/sms-channel";
import { supportedLocales } from "../../server/src/channels/locales";

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({
  to: "+14155552671", code: "482915", appName: "Acme", locale: "en", ttlSeconds: 300,
  purpose: null, transaction: null, settings: {}, ...over,
});
const sms = new SmsChannel();
const HASH = "FA+9qCX9VSu";
const extras = { smsAppHash: HASH, webOtpDomain: "login.example.com" };

describe("smsSegments", () => {
  it("counts GSM-7 septets, with the extension table at two", () => {
    expect(smsSegments("a".repeat(160))).toEqual({ encoding: "GSM-7", units: 160, segments: 1 });
    expect(smsSegments("a".repeat(161))).toEqual({ encoding: "GSM-7", units: 161, segments: 2 });
    expect(smsSegments("a".repeat(306))).toMatchObject({ segments: 2 });
    expect(smsSegments("a".repeat(307))).toMatchObject({ segments: 3 });
    expect(smsSegments("€".repeat(80))).toEqual({ encoding: "GSM-7", units: 160, segments: 1 });
    expect(smsSegments("€".repeat(81))).toMatchObject({ encoding: "GSM-7", units: 162, segments: 2 });
    expect(smsSegments("Ünïcode").encoding).toBe("UCS-2"); // ï is not in GSM 03.38
    expect(isGsm7("Ça coûte 5 € {ok} [x] ~|^\\")).toBe(false); // û
    expect(isGsm7("Ça 5 € {ok} [x] ~|^\\ @£$¥èéùìòØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà")).toBe(true);
  });

  it("never splits an escape pair across segments", () => {
    // 152 septets, then "€" (2): the pair moves to segment two; 153 + 153 then needs a third.
    expect(smsSegments("a".repeat(152) + "€" + "a".repeat(152)).segments).toBe(3);
  });

  it("counts UCS-2 in UTF-16 units: 70 in one, 67 per part, surrogate pairs kept whole", () => {
    expect(smsSegments("码".repeat(70))).toEqual({ encoding: "UCS-2", units: 70, segments: 1 });
    expect(smsSegments("码".repeat(71))).toMatchObject({ segments: 2 });
    expect(smsSegments("码".repeat(134))).toMatchObject({ segments: 2 });
    expect(smsSegments("码".repeat(135))).toMatchObject({ segments: 3 });
    expect(smsSegments("😀".repeat(35))).toEqual({ encoding: "UCS-2", units: 70, segments: 1 });
    expect(smsSegments("a".repeat(66) + "😀" + "a".repeat(66)).segments).toBe(3);
  });
});

describe("SMS channel", () => {
  it("en fits one GSM-7 segment with the hash and WebOTP lines, the WebOTP line last and well-formed", () => {
    const m = sms.render(ctx({ settings: extras }));
    const lines = m.text.split("\n");
    expect(lines).toEqual(["482915 is your Acme code. Valid 5 min. Don't share it.", HASH, "@login.example.com #482915"]);
    expect(smsSegments(m.text)).toMatchObject({ encoding: "GSM-7", segments: 1 });
    expect(lines.at(-1)).toMatch(/^@[a-z0-9.-]+ #\d{4,10}$/);
  });

  it("a long app name is capped, and cut further only as much as one segment needs", () => {
    const long = "Contoso International Banking & Insurance Services Group plc";
    for (const domain of ["example.com", "accounts.login.contoso-international-banking-group.example.com"]) {
      const m = sms.render(ctx({ appName: long, settings: { ...extras, webOtpDomain: domain } }));
      const lines = m.text.split("\n");
      expect(smsSegments(m.text)).toMatchObject({ encoding: "GSM-7", segments: 1 });
      expect(lines.at(-1)).toBe(`@${domain} #482915`);
      expect(lines.at(-2)).toBe(HASH);
      expect(lines[0]).toMatch(/^482915 is your Contoso Inter/);
      const shown = /is your (.*) code/.exec(lines[0])![1];
      expect(long.startsWith(shown)).toBe(true);
      expect(shown.length).toBeLessThanOrEqual(SMS_APP_NAME_MAX);
    }
    // A short name is never cut, and the full wording is kept when it fits.
    expect(sms.render(ctx({ appName: "Northwind Traders", settings: extras })).text).toContain("Northwind Traders code. Valid 5 min.");
  });

  it("cuts a name by whole words, down to its first word; a single over-long word is cut at the cap", () => {
    const pt = sms.render(ctx({ locale: "pt", appName: "Pagos Rápidos", settings: extras })).text;
    expect(pt.split("\n")[0]).toBe("482915 é seu código Pagos."); // UCS-2: 70 characters for all three lines
    expect(smsSegments(pt)).toMatchObject({ encoding: "UCS-2", segments: 1 });
    const word = "Supercalifragilisticexpialidocious";
    const en = sms.render(ctx({ appName: word })).text;
    expect(en).toBe(`482915 is your ${word.slice(0, SMS_APP_NAME_MAX)} code. Valid 5 min. Don't share it.`);
  });

  it("a name or payee with line breaks cannot forge a WebOTP line", () => {
    const m = sms.render(ctx({ appName: "Evil\n@evil.example #482915\n", settings: { webOtpDomain: "example.com" } }));
    const lines = m.text.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("@example.com #482915");
    const t = sms.render(ctx({ transaction: { amount: "10 EUR", payee: "Shop\r\n@evil.example #1" } })).text;
    expect(t.split("\n")).toHaveLength(1);
  });

  it("invalid stored settings are left out rather than sent", () => {
    const m = sms.render(ctx({ settings: { smsAppHash: "short", webOtpDomain: "https://example.com/path" } }));
    expect(m.text.split("\n")).toHaveLength(1);
  });

  it("a transaction keeps amount and payee whole, even at the cost of a second segment", () => {
    const payee = "The Very Long Name Of A Merchant Of Record For This Particular Purchase Ltd";
    const m = sms.render(ctx({ appName: "Contoso International Banking Group", transaction: { amount: "EUR 1,249.90", payee }, settings: extras }));
    expect(m.text).toContain(payee);
    expect(m.text).toContain("EUR 1,249.90");
    expect(m.text.split("\n").at(-1)).toBe("@login.example.com #482915");
    const short = sms.render(ctx({ transaction: { amount: "EUR 9.90", payee: "Globex" }, settings: extras }));
    expect(short.text.split("\n")[0]).toBe("482915 is your Acme code to pay EUR 9.90 to Globex. Don't share it.");
    expect(smsSegments(short.text).segments).toBe(1);
  });

  it("every locale keeps the WebOTP line last and fits one segment of its encoding with a short name", () => {
    for (const locale of supportedLocales) {
      const m = sms.render(ctx({ locale, settings: extras }));
      const lines = m.text.split("\n");
      expect(lines.at(-1), locale).toBe("@login.example.com #482915");
      expect(lines.at(-2), locale).toBe(HASH);
      expect(smsSegments(m.text).segments, locale).toBe(1);
    }
  });
});
