import type { FailureKind } from "../provider";

/**
 * Vonage Messages API error codes (the fragment of the problem's `type`, and the `error` of a
 * status callback) by who can fix them. The destination's — not on WhatsApp, number barred,
 * template refused for it — are permanent: the app's SMS fallback takes over. This account's
 * go to the next WhatsApp provider; throttling and Vonage's own faults are retried.
 */
export const VONAGE_MESSAGES_KIND: Record<string, FailureKind> = {
  "1000": "transient", "1030": "transient", "1100": "transient", throttled: "transient",
  "1010": "permanent", "1020": "permanent", "1021": "permanent", "1022": "permanent", "1040": "permanent", "1050": "permanent", "131026": "permanent",
  "1060": "provider", "1070": "provider", "1080": "provider", "1120": "provider", "1140": "provider", "1160": "provider",
  unauthorized: "provider", forbidden: "provider", "low-balance": "provider", unprovisioned: "provider", "account-suspended": "provider",
};

/** What support staff read on the timeline for those codes. */
export const VONAGE_MESSAGES_EXPLANATIONS: Record<string, string> = {
  "1000": "Vonage throttled our WhatsApp messages (too many per second). The gateway retries automatically.",
  "1010": "Vonage found a required parameter missing: a gateway misconfiguration, not the customer's fault.",
  "1020": "Vonage refused a parameter, often a number WhatsApp doesn't accept. Check the number, or use SMS.",
  "1021": "Vonage refused the message's tag value.",
  "1022": "WhatsApp refused the template or its parameters (not approved, wrong language or parameter count). An operator must check VONAGE_WHATSAPP_TEMPLATE; meanwhile the SMS fallback applies.",
  "1030": "Internal error at Vonage. Retrying or failing over usually works.",
  "1040": "Vonage couldn't process the message (for example an unrecognised number prefix). Check the number.",
  "1050": "The number is barred and may not receive messages.",
  "1060": "Our Vonage account is barred from sending. An operator must contact Vonage.",
  "1070": "Our Vonage account has no credit left. An operator must top it up; meanwhile the gateway fails over.",
  "1080": "This Vonage account isn't enabled for the Messages API.",
  "1120": "The WhatsApp sender (VONAGE_WHATSAPP_FROM) isn't allowed for this destination.",
  "1140": "Our Vonage account isn't enabled for this feature (WhatsApp).",
  "1160": "The destination isn't on our Vonage account's allowed list (a trial or sandbox account).",
  "131026": "WhatsApp couldn't deliver: the number isn't on WhatsApp, or its app is too old. The app's SMS fallback, when set, sends the code by text.",
  unauthorized: "Vonage refused our Messages API credentials (application id and private key, or API key and secret). An operator must fix the gateway's configuration.",
  throttled: "Vonage rate-limited our requests. The gateway retries automatically.",
  "low-balance": "Our Vonage balance is too low to send. An operator must top it up; meanwhile the gateway fails over.",
};
