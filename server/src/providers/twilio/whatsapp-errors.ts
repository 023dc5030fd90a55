import type { FailureKind } from "../provider";

/**
 * Twilio's WhatsApp error codes (63xxx, and the Content API's 21655/21656), by who can fix
 * them. The destination's (not on WhatsApp, blocked, template refused for it) are permanent:
 * no retry helps, and the app's SMS fallback takes over. This account's (sender not approved,
 * template missing, Meta suspended the business) go to the next WhatsApp provider.
 */
export const TWILIO_WHATSAPP_KIND: Record<string, FailureKind> = {
  "63003": "permanent", "63024": "permanent", "63032": "permanent", "63049": "permanent", "63016": "permanent",
  "63005": "permanent", "63013": "permanent", "63027": "permanent", "63028": "permanent", "63030": "permanent",
  "21655": "provider", "21656": "provider", "63007": "provider", "63112": "provider", "63001": "provider", "63002": "provider",
  "63018": "transient", "63038": "transient",
};

/** What support staff read on the timeline for Twilio's WhatsApp codes. */
export const TWILIO_WHATSAPP_EXPLANATIONS: Record<string, string> = {
  "63003": "The number isn't on WhatsApp (no active WhatsApp account). The app's SMS fallback, when set, sends the code by text instead.",
  "63016": "WhatsApp refused a free-form message outside the 24-hour window: the message must use the approved authentication template. An operator must check TWILIO_WHATSAPP_CONTENT_SID.",
  "63024": "WhatsApp considers the recipient invalid (for example a number that can't receive business messages). Try SMS.",
  "63032": "WhatsApp didn't deliver to this user (Meta's experiment or policy for this number). Try SMS.",
  "63049": "Meta chose not to deliver this message to keep the user's experience healthy. Try SMS, or again later.",
  "63005": "WhatsApp didn't accept the message content. An operator should check the template.",
  "63013": "The message broke a WhatsApp policy. An operator should check the template and the WhatsApp Business account.",
  "63027": "The WhatsApp template doesn't exist for this language. An operator must add a translation or list a template per language in TWILIO_WHATSAPP_CONTENT_SID.",
  "63028": "The template got a different number of values than it has variables: the gateway sends one, the code.",
  "63030": "A template parameter isn't supported for this message type. An operator should check the template.",
  "63007": "Twilio has no WhatsApp sender for TWILIO_WHATSAPP_FROM (not registered, or still pending approval).",
  "63112": "Meta disabled the WhatsApp Business account. Nothing is delivered over WhatsApp until an operator resolves it with Meta.",
  "63018": "WhatsApp rate limit reached for our sender. The gateway retries; persistent 63018s need a higher messaging tier.",
  "21655": "TWILIO_WHATSAPP_CONTENT_SID names no Content template on this account.",
  "21656": "The template's variables didn't match what the gateway sent (ContentVariables).",
};
