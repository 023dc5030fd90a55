import { simSwapClaim } from "../risk/sim-swap-result";
import type { Row } from "./verification-view";

/** A workflow step the code went out on (a step with a delivery), as the verify statement returns it. */
export interface SentStep { channel: string; own: boolean }

/**
 * The claims of an approved verification's token (contract: `phone_number` and
 * `phone_number_verified`, or `email` and `email_verified`; `amr`; `purpose`; `transaction`).
 *
 * A workflow (`next`) sends the same code on every step, possibly to another destination (an
 * e-mail after SMS). The right code then proves its holder received it on one of those steps,
 * not which: the token lists every channel it went out on in `amr`, in step order, and says
 * `…_verified: false` when any step went to a destination other than the verification's own — a
 * relying party must not take the phone number as proven when the code may have come by e-mail.
 * A verification without steps, or whose steps all went to its own destination (WhatsApp, then
 * SMS to the same number), is unchanged: `amr` its channels, the destination verified.
 */
export function tokenClaims(v: Row, sentSteps: SentStep[] | null | undefined): Record<string, unknown> {
  const proven = !sentSteps?.some((s) => !s.own);
  const claims: Record<string, unknown> = v.channel === "EMAIL"
    ? { email: v.destination, email_verified: proven }
    : { phone_number: v.destination, phone_number_verified: proven };
  const channels = sentSteps?.length ? [...new Set(sentSteps.map((s) => s.channel.toLowerCase()))] : [String(v.channel).toLowerCase()];
  claims.amr = ["otp", ...channels];
  if (v.purpose) claims.purpose = v.purpose;
  if (v.transaction) claims.transaction = v.transaction;
  // What the SIM-swap check said before the code was sent (absent when none applied): a
  // relying party steps up ("swapped", or "unknown" if it is cautious) to e-mail or an authenticator.
  if (v.sim_swap) claims.sim_swap = simSwapClaim(v.sim_swap);
  return claims;
}
