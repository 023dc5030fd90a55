import { getExampleNumber, parsePhoneNumberWithError, type CountryCode } from "libphonenumber-js/max";
import examples from "libphonenumber-js/mobile/examples";
import type { Rng } from "./random";

/**
 * Valid mobile numbers for the simulator, by country and prefix (the number without its last
 * four digits, as the pumping guard groups them). Derived from libphonenumber's example mobile
 * number of the country: digits before the last four varied and kept only when the result is
 * still a valid mobile number, so the gateway's number-type checks let them through.
 */
export class MobileNumbers {
  private readonly used = new Set<string>();
  private readonly numbers = new Set<string>();

  constructor(private readonly rng: Rng) {}

  /** A prefix of `country` not handed out before (or any, after many tries). */
  prefix(country: CountryCode): string {
    const example = getExampleNumber(country, examples)!.number as string;
    for (let i = 0; i < 200; i++) {
      const head = example.slice(0, -4);
      const vary = Math.min(3, head.length - 4);
      const p = head.slice(0, head.length - vary) + Array.from({ length: vary }, () => this.rng.int(0, 9)).join("");
      if (this.used.has(p) && i < 150) continue;
      if (isMobile(`${p}${example.slice(-4)}`, country)) {
        this.used.add(p);
        return p;
      }
    }
    return example.slice(0, -4);
  }

  /** A valid mobile number in this prefix, never one handed out before (two users never share a number). */
  inPrefix(prefix: string, country: CountryCode): string {
    let n = "";
    for (let i = 0; i < 200; i++) {
      n = `${prefix}${String(this.rng.int(0, 9999)).padStart(4, "0")}`;
      if (!this.numbers.has(n) && (i >= 50 || isMobile(n, country))) break;
    }
    this.numbers.add(n);
    return n;
  }

  /** A valid mobile number of the country in a fresh prefix. */
  fresh(country: CountryCode): string {
    return this.inPrefix(this.prefix(country), country);
  }
}

function isMobile(e164: string, country: CountryCode): boolean {
  try {
    const p = parsePhoneNumberWithError(e164);
    const type = p.getType();
    return p.isValid() && p.country === country && (type === "MOBILE" || type === "FIXED_LINE_OR_MOBILE");
  } catch {
    return false;
  }
}

/** Countries a pumping run rotates through (valid mobile examples in libphonenumber for each). */
export const MANY_COUNTRIES: CountryCode[] = [
  "FR", "DE", "IT", "ES", "NL", "BE", "AT", "CH", "SE", "NO", "DK", "FI", "PL", "CZ", "PT", "IE", "GR", "HU", "RO", "BG",
  "HR", "SK", "SI", "LT", "LV", "EE", "TR", "UA", "IL", "AE", "SA", "EG", "MA", "NG", "KE", "ZA", "IN", "PK", "ID", "PH",
  "VN", "TH", "MY", "AU", "NZ", "JP", "KR", "BR", "MX", "AR", "CL", "CO", "PE",
];
