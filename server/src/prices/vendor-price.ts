/** A price as a vendor reported it, normalized: a non-negative decimal string and an ISO 4217 code. */
export interface Price { amount: string; currency: string }

/** numeric(14,6): at most 8 digits before the point. */
const DECIMAL = /^-?\d{1,8}(\.\d{1,12})?$/;
const CURRENCY = /^[A-Z]{3}$/;

/**
 * Reads a vendor's price figure; null when it gave none or one we can't trust (better unknown
 * than wrong). Twilio writes charges as negative amounts ("-0.00750"): the sign is dropped.
 * Digits past the sixth decimal are left to Postgres' numeric(14,6) rounding.
 */
export function vendorPrice(amount: unknown, currency: unknown): Price | null {
  const text = typeof amount === "number" && Number.isFinite(amount) ? String(amount) : typeof amount === "string" ? amount.trim() : "";
  const code = typeof currency === "string" ? currency.trim().toUpperCase() : "";
  if (!DECIMAL.test(text) || !CURRENCY.test(code)) return null;
  return { amount: text.replace(/^-/, ""), currency: code };
}
