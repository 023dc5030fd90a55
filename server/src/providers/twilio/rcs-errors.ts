import type { FailureKind } from "../provider";

/**
 * Twilio's codes for RCS sends through a Messaging Service, by who can fix them. The device's
 * (not RCS-capable, unreachable over RCS) are permanent for this delivery: the workflow's next
 * step or the app's fallback moves on. The Messaging Service's (unknown, no sender in its pool)
 * go to the next RCS provider.
 */
export const TWILIO_RCS_KIND: Record<string, FailureKind> = {
  "63106": "permanent", "63036": "permanent",
  "21701": "provider", "21703": "provider", "21704": "provider", "21667": "provider",
};

/** What support staff read on the timeline for those codes. */
export const TWILIO_RCS_EXPLANATIONS: Record<string, string> = {
  "63106": "The customer's phone can't receive RCS (no RCS on the device or its carrier), and Twilio had no SMS sender in the Messaging Service to fall back to. The next step or the app's fallback (SMS) sends the code instead.",
  "63036": "The phone couldn't be reached over RCS (offline, or RCS switched off). The next step or the app's fallback sends the code another way.",
  "21701": "TWILIO_RCS_MESSAGING_SERVICE_SID names no Messaging Service on this Twilio account. An operator must fix the gateway's configuration.",
  "21703": "The RCS Messaging Service has no sender available for this destination. An operator must add an RCS sender (and SMS senders for Twilio's own fallback) to its pool.",
  "21704": "The RCS Messaging Service's sender pool is empty. An operator must add the RCS sender to it.",
  "21667": "The Messaging Service has no RCS sender in its pool. An operator must add one in the Twilio console.",
};
