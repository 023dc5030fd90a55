import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { senderFor, type SenderList } from "../config/senders";
import { ProviderError, type OutboundMessage } from "./provider";

/**
 * The sender a vendor uses for this message, by the destination's country (TWILIO_FROM,
 * VONAGE_FROM, MESSAGEBIRD_ORIGINATOR as per-country lists). A list with no rule for the
 * country and no `*` means this vendor can't send there: a `provider` failure, so the next
 * provider for the channel gets the message.
 */
export function senderForMessage(list: SenderList, m: OutboundMessage, vendor: string): string {
  const country = m.country ?? parsePhoneNumberFromString(m.to)?.country ?? null;
  const from = senderFor(list, country);
  if (!from) throw new ProviderError("provider", "NO_SENDER", `${vendor} has no sender for ${country ?? "this destination"}'s numbers (no rule and no *)`);
  return from;
}
