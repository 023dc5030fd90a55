import { maskDestination } from "../verification/destination";

/** An e-mail address anywhere in a text (inside <…>, quotes, after "to "). */
const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}/g;
/** A phone-number-like run: optional +, digits with the usual separators, at least 7 digits in all. */
const PHONE = /\+?\(?\d[\d\s().-]{5,22}\d/g;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/**
 * Vendors put the destination in their error texts — Twilio's 21211 "The 'To' number
 * +14155550123 is not a valid phone number", an SMTP 550 "<jane@example.com>: Recipient address
 * rejected". Those texts are stored on deliveries, attempts and events, shown in the dashboard
 * (to SUPPORT too) and logged. Every vendor text passes through here first, at the provider
 * boundary (the dispatcher for send failures, StatusCallbacks for receipts): addresses and
 * numbers come out masked the way the dashboard masks them ("+1******0123", "j***@example.com").
 * Short numbers (SMTP reply codes, "5.1.1", error codes) stay.
 */
export function scrubVendorText(text: string): string;
export function scrubVendorText(text: string | null | undefined): string | null;
export function scrubVendorText(text: string | null | undefined): string | null {
  if (text == null) return null;
  return text.replace(EMAIL, (m) => maskDestination(m)).replace(PHONE, (m) => {
    const digits = m.replace(/\D/g, "");
    if (digits.length < 7 || ISO_DATE.test(m)) return m;
    if (m.startsWith("+")) return maskDestination(`+${digits}`);
    return `${"*".repeat(digits.length - 4)}${digits.slice(-4)}`;
  });
}

/**
 * The keys of a receipt's raw parameters (stored with its delivery event) that carry the vendor's
 * own words rather than ids, codes or timestamps: the http vendor's `errorMessage`, Vonage
 * Messages' `error_detail`, MessageBird's `statusReason`. Only these are scrubbed: the other values
 * are ids and timestamps that a phone-number pattern would mangle (Vonage's "0A0000001234ABCD").
 */
export const VENDOR_TEXT_KEYS = ["errorMessage", "error_detail", "statusReason"] as const;

/** A receipt's raw parameters with the vendor's words (VENDOR_TEXT_KEYS) scrubbed; the rest as received. */
export function scrubVendorRaw<T extends Record<string, unknown>>(raw: T): T {
  const out: Record<string, unknown> = { ...raw };
  for (const k of VENDOR_TEXT_KEYS) if (typeof out[k] === "string") out[k] = scrubVendorText(out[k] as string);
  return out as T;
}

/**
 * A vendor's error text without the code it may quote back ("Message 'Your code is 123456' too
 * long", a voice script's "1, 2, 3, 4, 5, 6"): send failures are logged and stored, and no code
 * reaches either. Six digits are too short for scrubVendorText's number pattern, so the worker,
 * which knows the code it sent, removes it by value, spelt out or not.
 */
export function scrubCode(text: string, code: string): string {
  if (!/^\d{4,10}$/.test(code)) return text;
  const spelt = new RegExp(code.split("").join("\\D{0,3}"), "g");
  return text.replace(spelt, "[code]");
}
