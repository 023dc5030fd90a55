import { ProviderError, type FailureKind } from "../provider";

/**
 * The Gateway API answers a refused call with `{ "ok": false, "error": "<NAME>" }`. Telegram's
 * reference names one (ACCESS_TOKEN_INVALID) without listing them; these are the names its
 * clients meet (e.g. github.com/apifonica/tg-gateway-go, errors.go), each by who can fix it:
 * - permanent: the destination can't get a Telegram code from anyone (not a valid number, or no
 *   Telegram account on it): the delivery fails at once, so `next` or the app's fallback moves on;
 * - provider: our account or configuration (token, balance, sender, a parameter Telegram
 *   refused): the next provider of the channel, if any, gets the message;
 * - transient: throttling (FLOOD_WAIT_<seconds>) and Telegram's own errors: retried with backoff.
 */
const KIND: Record<string, FailureKind> = {
  PHONE_NUMBER_INVALID: "permanent",
  PHONE_NUMBER_NOT_FOUND: "permanent",
  PHONE_NUMBER_NOT_AVAILABLE: "permanent",
  ACCESS_TOKEN_INVALID: "provider",
  ACCESS_TOKEN_REQUIRED: "provider",
  BALANCE_NOT_ENOUGH: "provider",
  SENDER_USERNAME_INVALID: "provider",
  SENDER_NOT_VERIFIED: "provider",
  SENDER_NOT_OWNED: "provider",
  CALLBACK_URL_INVALID: "provider",
  PAYLOAD_INVALID: "provider",
  TTL_INVALID: "provider",
  CODE_INVALID: "provider",
  CODE_LENGTH_INVALID: "provider",
  UNKNOWN_METHOD: "provider",
};

/** Plain language for the dashboard (timeline, providers page), by error name. */
export const TELEGRAM_ERRORS: Record<string, string> = {
  PHONE_NUMBER_INVALID: "Telegram found the number invalid. Ask the customer to check the number, including the country code.",
  PHONE_NUMBER_NOT_FOUND: "There is no Telegram account on this number, so Telegram can't send it a code. Use SMS or another channel (the app's fallback does this at once).",
  PHONE_NUMBER_NOT_AVAILABLE: "Telegram can't send codes to this number (no Telegram account, or the account can't receive them). Use SMS or another channel (the app's fallback does this at once).",
  ACCESS_TOKEN_INVALID: "Telegram refused our Gateway API token. An operator must fix TELEGRAM_GATEWAY_TOKEN (gateway.telegram.org/account/api).",
  ACCESS_TOKEN_REQUIRED: "Telegram received no Gateway API token. An operator must set TELEGRAM_GATEWAY_TOKEN.",
  BALANCE_NOT_ENOUGH: "Our Telegram Gateway balance is used up. An operator must add funds (gateway.telegram.org/account/budget); meanwhile the gateway fails over.",
  SENDER_USERNAME_INVALID: "TELEGRAM_GATEWAY_SENDER_USERNAME names no Telegram channel. An operator must fix or unset it.",
  SENDER_NOT_VERIFIED: "The channel in TELEGRAM_GATEWAY_SENDER_USERNAME isn't verified by Telegram. An operator must verify it or unset the variable.",
  SENDER_NOT_OWNED: "The channel in TELEGRAM_GATEWAY_SENDER_USERNAME isn't owned by the Gateway account. An operator must fix or unset it.",
  CALLBACK_URL_INVALID: "Telegram refused the delivery-report URL (PUBLIC_URL + /webhooks/telegram/status): it must be an https URL of at most 256 bytes.",
  TTL_INVALID: "Telegram refused the message's validity: a gateway bug, not the customer's fault.",
  CODE_INVALID: "Telegram refused the code's format (4 to 8 digits): an app with longer codes can't use TELEGRAM.",
  FLOOD_WAIT: "Telegram is throttling our account. The gateway retries with backoff, then fails over.",
  UNKNOWN_METHOD: "Telegram doesn't know the method called: an operator must check TELEGRAM_GATEWAY_API_BASE_URL.",
  // Report outcomes (delivery_status), named by the gateway: Telegram reports a word, not an error.
  MESSAGE_EXPIRED: "Telegram's message wasn't delivered or read before it expired (the customer may not have opened Telegram); Telegram refunds it. Use SMS or another channel.",
  MESSAGE_REVOKED: "Telegram's message was revoked before the customer read it.",
};

/**
 * A refusal in our terms. `error` is Telegram's own name, kept as the code (FLOOD_WAIT_30 is
 * FLOOD_WAIT, its seconds in the message); its text is ours: Telegram says no more than the name.
 */
export function telegramError(error: string | undefined, httpStatus: number): ProviderError {
  const name = (error ?? "").trim().toUpperCase().replace(/[^A-Z0-9_]/g, "").slice(0, 64);
  if (!name) {
    const kind: FailureKind = httpStatus === 429 || httpStatus >= 500 || httpStatus === 0 ? "transient" : "provider";
    return new ProviderError(kind, `HTTP_${httpStatus}`, `Telegram's Gateway API answered ${httpStatus} without an error name`);
  }
  const flood = /^FLOOD_WAIT(?:_(\d+))?$/.exec(name);
  if (flood) return new ProviderError("transient", "FLOOD_WAIT", `Telegram is throttling the Gateway account${flood[1] ? ` (retry after ${flood[1]} s)` : ""}`);
  const explained = TELEGRAM_ERRORS[name];
  // An unknown name is this account's problem until known otherwise: another provider may still send.
  const kind = KIND[name] ?? (httpStatus >= 500 ? "transient" : "provider");
  return new ProviderError(kind, name, explained ? `Telegram: ${name}. ${explained}` : `Telegram refused the message: ${name}`);
}
