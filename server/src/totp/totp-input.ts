import { badInput } from "../errors";

/**
 * The client app's id for its user: 1–128 printable characters (no control, format or
 * unassigned code points), counted as characters, not bytes. Opaque to the gateway.
 */
const PRINTABLE = /^[^\p{C}]+$/u;

export function checkSubject(raw: string | null | undefined, field = "subject"): string {
  if (raw === null || raw === undefined || raw.length === 0) throw badInput(field, "subject is 1 to 128 printable characters");
  if ([...raw].length > 128 || !PRINTABLE.test(raw)) throw badInput(field, "subject is 1 to 128 printable characters");
  return raw;
}

/**
 * What the authenticator shows (label, issuer): printable, at most 64 characters, and no colon,
 * which the otpauth URI uses to separate the two (Key Uri Format).
 */
export function checkDisplayName(raw: string | null | undefined, field: "label" | "issuer"): string | null {
  if (raw === null || raw === undefined) return null;
  const value = raw.trim();
  if (!value || [...value].length > 64 || !PRINTABLE.test(value) || value.includes(":")) {
    throw badInput(field, `${field} is 1 to 64 printable characters without a colon`);
  }
  return value;
}

/** An app's name as the default issuer: colons replaced (they would split the URI's label), shortened to fit. */
export function issuerFromAppName(name: string): string {
  const cleaned = [...name.replace(/:/g, " ").replace(/\p{C}/gu, "").trim()].slice(0, 64).join("").trim();
  return cleaned || "OTP Gateway";
}
