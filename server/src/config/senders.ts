import { isSupportedCountry } from "libphonenumber-js/max";

/**
 * Per-country senders: `TWILIO_FROM`, `VONAGE_FROM` and `MESSAGEBIRD_ORIGINATOR` hold either one
 * sender ("+15551234567", "AcmeID") or a list "US:+15551234567,GB:AcmeID,*:+15557654321" — the
 * first rule whose country is the destination's wins, `*` catches the rest. A UK number then
 * shows an alphanumeric sender id (usual there) while a US one comes from a long code (which
 * US carriers require). Parsed once at start-up; one parser for all three vendors.
 */
export interface SenderRule {
  /** ISO 3166-1 alpha-2, upper case, or "*" for every other country. */
  country: string;
  from: string;
}
export type SenderList = readonly SenderRule[];

/** E.164 long code, a short code, an alphanumeric sender id (GSM: at most 11, with a letter), or a Twilio Messaging Service SID. */
const SENDER = /^(\+?[1-9]\d{5,14}|\d{3,8}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9 ]{0,10}|MG[0-9a-fA-F]{32})$/;

export class SenderListError extends Error {}

/** Parses one sender or a country list; throws SenderListError with a message that quotes no secret (senders are public). */
export function parseSenderList(value: string): SenderList {
  const text = value.trim();
  // "+1555…" or "AcmeID" alone: one sender for every country, the form these variables always had
  // (checked loosely, as before: each vendor has its own rules for what a sender may be).
  if (!text.includes(":")) {
    if (text.includes(",") || !/^[\x21-\x7e][\x20-\x7e]{0,33}$/.test(text)) throw new SenderListError(`is not one sender nor a COUNTRY:SENDER list`);
    return [{ country: "*", from: text }];
  }
  const rules: SenderRule[] = [];
  for (const part of text.split(",").map((p) => p.trim())) {
    const i = part.indexOf(":");
    if (i < 0) throw new SenderListError(`entry "${part}" must be COUNTRY:SENDER (e.g. GB:AcmeID, or *:+15557654321 for the rest)`);
    const country = part.slice(0, i).trim().toUpperCase();
    const from = part.slice(i + 1).trim();
    if (country !== "*" && !isSupportedCountry(country)) throw new SenderListError(`entry "${part}": ${country} is not an ISO 3166 country code`);
    if (!SENDER.test(from)) throw new SenderListError(`entry "${part}": the sender is not a phone number, short code or sender id (up to 11 letters and digits)`);
    if (rules.some((r) => r.country === country)) throw new SenderListError(`names ${country} twice`);
    if (rules.some((r) => r.country === "*")) throw new SenderListError(`entry "${part}" comes after *, so it would never match (put * last)`);
    rules.push({ country, from });
  }
  return rules;
}

/**
 * The sender for a destination country (null when unknown): the first rule naming it or `*`.
 * Undefined when the list has no rule for it and no `*`: the vendor then can't send there.
 */
export function senderFor(list: SenderList, country: string | null | undefined): string | undefined {
  const c = country?.toUpperCase();
  return list.find((r) => r.country === "*" || r.country === c)?.from;
}
