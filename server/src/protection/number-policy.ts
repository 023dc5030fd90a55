import type { AppEntity } from "../apps/app.entity";
import { forbidden } from "../errors";
import type { Destination } from "../verification/destination";
import { Channel } from "../verification/enums";

/**
 * Which phone numbers may receive a code, decided from the number alone, before anything is
 * stored or any vendor is paid. Premium-rate and shared-cost numbers are where SMS pumping
 * and call-revenue fraud earn their money; a number whose type libphonenumber can't tell
 * (no known range) is refused for the same reason. Landlines and toll-free numbers can take
 * a call but not a text. Every other phone channel (WHATSAPP, TELEGRAM, RCS, …) follows SMS: their
 * accounts are registered on numbers that can receive a text, and the same rules keep
 * premium-rate ranges out (RCS is the phone's messaging app on the same number, and Twilio's own
 * fallback for it is an SMS).
 */
const TEXTABLE: readonly Channel[] = Object.values(Channel).filter((c) => c !== Channel.EMAIL);
const CHANNELS_BY_TYPE: Record<string, readonly Channel[]> = {
  MOBILE: TEXTABLE,
  FIXED_LINE_OR_MOBILE: TEXTABLE,
  PERSONAL_NUMBER: TEXTABLE,
  VOIP: TEXTABLE,
  FIXED_LINE: [Channel.VOICE],
  TOLL_FREE: [Channel.VOICE],
  // PREMIUM_RATE, SHARED_COST, PAGER, UAN, VOICEMAIL and unknown: none.
};

export function checkNumberType(dest: Destination, channel: Channel): void {
  if (dest.kind !== "phone") return;
  const allowed = CHANNELS_BY_TYPE[dest.phoneType ?? ""] ?? [];
  if (allowed.includes(channel)) return;
  if (allowed.length) throw forbidden(`This kind of number can't receive ${channel}; try ${allowed.join(" or ")}`);
  throw forbidden("Codes can't be sent to this kind of number");
}

/** The app's allowed countries: `countries` for SMS and WHATSAPP (and VOICE unless `settings.voiceCountries` narrows or widens it). */
export function checkCountry(app: AppEntity, dest: Destination, channel: Channel): void {
  if (dest.kind !== "phone") return;
  const voice = app.settings?.voiceCountries;
  const allowed = channel === Channel.VOICE && voice?.length ? voice : app.countries;
  if (allowed?.length && (!dest.country || !allowed.includes(dest.country))) {
    throw forbidden(`${channel} to this country is not allowed for this app`);
  }
}

/** The number without its last four digits ("+1415555"): the block a carrier hands out, and pumpers rotate through. */
export function numberPrefix(e164: string): string {
  return e164.slice(0, -4);
}

/** How a prefix appears in block records: the prefix with the four digits it stands for. */
export const maskPrefix = (prefix: string) => `${prefix}xxxx`;
