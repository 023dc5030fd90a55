/**
 * What support staff read on the timeline for a Vonage RCS message the Messages API rejected.
 * A `rejected` RCS callback is final whatever its code (mapVonageMessageStatus: FAILED), so the
 * workflow's next step or the app's fallback moves on; the codes here only add words.
 */
export const VONAGE_RCS_EXPLANATIONS: Record<string, string> = {
  "1300": "The customer's phone can't receive RCS (no RCS on the device or its carrier), so Vonage rejected the message. The next step or the app's fallback (SMS) sends the code instead.",
};
