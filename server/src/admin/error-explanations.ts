import { HTTP_PROVIDER_ERRORS } from "../providers/http/http-errors";
import { MESSAGEBIRD_REPORT_ERRORS, MESSAGEBIRD_REQUEST_ERRORS } from "../providers/messagebird/messagebird-errors";
import { SNS_ERRORS } from "../providers/sns/sns-errors";
import { TELEGRAM_ERRORS } from "../providers/telegram/telegram-errors";
import { TWILIO_WHATSAPP_EXPLANATIONS } from "../providers/twilio/whatsapp-errors";
import { TWILIO_RCS_EXPLANATIONS } from "../providers/twilio/rcs-errors";
import { VONAGE_RCS_EXPLANATIONS } from "../providers/vonage/rcs-errors";
import { VONAGE_MESSAGES_EXPLANATIONS } from "../providers/vonage/messages-errors";

/**
 * Plain-language explanations of the vendor error codes support staff meet most, so that the
 * timeline says what "30003" means for the customer on the phone. Codes are the vendors' own
 * (Twilio error codes; Vonage SMS statuses and DLR err-codes); gateway-side codes are ours.
 */
const TWILIO: Record<string, string> = {
  "20003": "Twilio refused our credentials (wrong account SID or auth token). Nothing was sent; an operator must fix the gateway's configuration.",
  "20429": "Twilio is throttling our account (too many requests). The gateway retries or fails over; persistent 20429s need a higher Twilio limit.",
  "21211": "The number is not a valid phone number for Twilio (wrong length or an impossible prefix). Ask the customer to check the number, including the country code.",
  "21408": "Our Twilio account isn't allowed to send to this country (geo permissions). An operator must enable the region in the Twilio console.",
  "21610": "The customer replied STOP to our sender and is unsubscribed. They must text START to the sender number to receive codes again.",
  "21614": "The number is not a mobile number (for example a landline), so it can't receive SMS. Offer a voice call instead.",
  "21612": "Twilio can't route from our sender number to this destination. Try another channel or ask an operator to check the sender.",
  "30001": "Twilio's queue overflowed; the message was dropped. Retrying later usually works.",
  "30002": "Our Twilio account is suspended. Nothing will be delivered until an operator resolves it with Twilio.",
  "30003": "The handset was unreachable: switched off, out of coverage, or roaming without service. Ask the customer to check signal and try again later or use a voice call.",
  "30004": "The message was blocked, usually by the carrier or the customer's own blocking settings or a spam filter. Ask them to check blocked senders, or try another channel.",
  "30005": "The number is unknown to the carrier or no longer exists. Ask the customer to confirm the number.",
  "30006": "The number is a landline or the carrier can't receive SMS. Offer a voice call instead.",
  "30007": "The carrier filtered the message as spam. Persistent 30007s need sender registration (A2P 10DLC / toll-free verification).",
  "30008": "Unknown error from the carrier. If it repeats for one customer, try a voice call; if for many, fail over to another provider.",
  "30034": "The message came from an unregistered US 10DLC number and was blocked. An operator must register the sender.",
};

const VONAGE: Record<string, string> = {
  "1": "Vonage throttled the request (too many per second). The gateway retries automatically.",
  "2": "Vonage rejected the request for missing parameters: a gateway bug or misconfiguration, not the customer's fault.",
  "3": "Vonage found an invalid parameter, often the destination number. Ask the customer to confirm the number and country code.",
  "4": "Vonage refused our API key or secret. An operator must fix the gateway's configuration.",
  "5": "Internal error at Vonage. Retrying or failing over usually works.",
  "6": "Vonage couldn't route the message (the number isn't a reachable mobile). Check the number or use a voice call.",
  "7": "The number is on Vonage's blocked list (for example after STOP).",
  "8": "Our Vonage account is barred. An operator must contact Vonage.",
  "9": "Our Vonage account has no credit left. An operator must top it up; meanwhile the gateway fails over.",
  "15": "The sender address isn't allowed for this destination. An operator must configure a permitted sender.",
  "29": "The destination isn't whitelisted for our Vonage trial account.",
};

/** Vonage DLR err-codes (status callbacks), kept apart from request statuses: the same numbers mean other things. */
const VONAGE_DLR: Record<string, string> = {
  "1": "Unknown delivery error from the carrier. If it repeats, try another channel.",
  "2": "Absent subscriber, temporary: the handset is off or out of coverage. Try again later.",
  "3": "Absent subscriber, permanent: the number is no longer in service.",
  "4": "The customer's carrier barred the message (for example no SMS plan or roaming barred).",
  "5": "Portability error: the number moved to another carrier and routing failed. Retrying later may work.",
  "6": "The carrier's anti-spam filter rejected the message.",
  "7": "The handset is busy or its memory is full.",
  "8": "Network error at the carrier. Retrying later usually works.",
  "9": "The number is illegal or invalid.",
  "11": "The carrier or Vonage couldn't route the message.",
  "99": "General error at the carrier.",
};

const GATEWAY: Record<string, string> = {
  SUPERSEDED: "Replaced by a resend before it was sent; the newer message carries the current code.",
  EXPIRED: "The code expired before the message could be sent, so it was not sent.",
  NO_PROVIDER: "No provider is configured for this channel.",
  NETWORK: "The gateway couldn't reach the provider (network error or timeout). It retries, then fails over.",
  NO_SENDER: "This provider has no sender for the destination's country (its per-country sender list has no rule for it and no *), so the next provider was used.",
  CIRCUIT_OPEN: "The provider had been failing, so the gateway skipped it for a while (circuit breaker) and used the next one.",
  RETRIES_EXHAUSTED: "Every retry and every provider for this channel failed.",
};

/** An explanation for a provider's error code, or null when we have none. */
export function explainError(provider: string | null | undefined, code: string | null | undefined, source?: string | null): string | null {
  if (!code) return null;
  const p = (provider ?? "").toLowerCase();
  // WhatsApp codes (Twilio 63xxx, Vonage Messages 1xxx) never collide with the SMS/voice ones.
  if (p === "twilio") return TWILIO[code] ?? TWILIO_WHATSAPP_EXPLANATIONS[code] ?? TWILIO_RCS_EXPLANATIONS[code] ?? GATEWAY[code] ?? null;
  if (p === "vonage") {
    const table = source && source !== "worker" && source !== "api" ? VONAGE_DLR : VONAGE;
    return table[code] ?? VONAGE_MESSAGES_EXPLANATIONS[code] ?? VONAGE_RCS_EXPLANATIONS[code] ?? GATEWAY[code] ?? null;
  }
  if (p === "messagebird") {
    const table = source && source !== "worker" && source !== "api" ? MESSAGEBIRD_REPORT_ERRORS : MESSAGEBIRD_REQUEST_ERRORS;
    return table[code] ?? GATEWAY[code] ?? null;
  }
  const vendor = VENDOR_TABLES[p];
  if (vendor) return vendor[code] ?? GATEWAY[code] ?? null;
  return GATEWAY[code] ?? TWILIO[code] ?? null;
}

/** The newer vendors keep their explanations in their own folder (providers/<vendor>/*-errors.ts). */
const VENDOR_TABLES: Record<string, Record<string, string>> = {
  http: HTTP_PROVIDER_ERRORS,
  sns: SNS_ERRORS,
  telegram: TELEGRAM_ERRORS,
};
