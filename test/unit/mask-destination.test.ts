import { getCountries, getExampleNumber, parsePhoneNumberFromString } from "libphonenumber-js/max";
import examples from "libphonenumber-js/examples.mobile.json";
import { describe, expect, it } from "vitest";
import { maskByParsing, maskDestination, parseAnyDestination } from "../../server/src/verification/destination";

/** A deterministic stream of digits, so a failure names the same numbers on every run. */
function* digits(seed: number): Generator<string> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    yield String(x % 10);
  }
}

describe("maskDestination's E.164 shortcut", () => {
  it("masks every country's example number as libphonenumber's parse does", () => {
    let n = 0;
    for (const country of getCountries()) {
      const example = getExampleNumber(country, examples);
      if (!example) continue;
      const value = parseAnyDestination(example.number).value;
      expect(maskDestination(value), `${country} ${value}`).toBe(maskByParsing(value));
      n++;
    }
    expect(n).toBeGreaterThan(200);
  });

  it("agrees with parsing on every valid number among 50,000 random E.164-shaped strings, and shows no more on the rest", () => {
    const d = digits(42);
    let valid = 0;
    for (let i = 0; i < 50_000; i++) {
      const len = 7 + (i % 9);
      let s = "+" + String(1 + (i % 9));
      while (s.length < len + 1) s += d.next().value;
      const parsed = parsePhoneNumberFromString(s);
      if (parsed?.isValid() && parsed.number === s) {
        valid++;
        expect(maskDestination(s), s).toBe(maskByParsing(s));
      } else {
        // An invalid number (a vendor's text): libphonenumber may strip a "national prefix" and mask one digit fewer;
        // the shortcut shows the calling code and the last four digits, the rest starred, or falls back to parsing.
        const m = maskDestination(s);
        if (m !== maskByParsing(s)) {
          expect(m, s).toMatch(/^\+\d{1,3}\**\d{4}$/);
          expect(m.length, s).toBe(s.length);
          expect(m.slice(-4)).toBe(s.slice(-4));
        }
      }
    }
    expect(valid).toBeGreaterThan(1_000);
  });

  it("shows the calling code and the last four digits, never the rest", () => {
    expect(maskDestination("+14155552671")).toBe("+1******2671");
    expect(maskDestination("+447911123456")).toBe("+44******3456");
    expect(maskDestination("+35312345678")).toBe("+353****5678");
    expect(maskDestination("jane@example.com")).toBe("j***@example.com");
  });
});
