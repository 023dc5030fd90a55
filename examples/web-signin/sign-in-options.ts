import type { RequestOtpInput } from "./gateway-client";

/**
 * The ways the page offers to send a code, and what each asks of the gateway. The backend, not
 * the browser, decides the plan: a browser can only pick one of these by name.
 * - WHATSAPP_THEN_SMS is one verification with an ordered second step (`next`): the gateway
 *   sends a text message with the same code when the WhatsApp message wasn't enough within
 *   `afterSeconds` (or at once when WhatsApp refused the number).
 * - TELEGRAM goes through Telegram's Gateway API: the code arrives from Telegram's own
 *   "Verification Codes" account, not from a bot or the app's name.
 */
export const SIGN_IN_OPTIONS = ["SMS", "VOICE", "WHATSAPP_THEN_SMS", "TELEGRAM"] as const;
export type SignInOption = (typeof SIGN_IN_OPTIONS)[number];

export function isSignInOption(value: unknown): value is SignInOption {
  return typeof value === "string" && (SIGN_IN_OPTIONS as readonly string[]).includes(value);
}

/** The requestOtp input for `option` to `destination` (E.164); `smsAfterSeconds` is 15 to 600 (the gateway's bounds). */
export function planFor(option: SignInOption, destination: string, smsAfterSeconds = 60): Pick<RequestOtpInput, "destination" | "channel" | "next"> {
  switch (option) {
    case "WHATSAPP_THEN_SMS":
      return { destination, channel: "WHATSAPP", next: [{ channel: "SMS", afterSeconds: smsAfterSeconds }] };
    default:
      return { destination, channel: option };
  }
}
