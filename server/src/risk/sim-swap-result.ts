/**
 * What the SIM-swap check said about a verification's number: its SIM changed within the app's
 * `maxAgeHours` (SWAPPED), it did not (NOT_SWAPPED), or the check could not tell (UNKNOWN: the
 * service failed, refused or was too slow — never a refusal of the code).
 */
export enum SimSwapResult { SWAPPED = "SWAPPED", NOT_SWAPPED = "NOT_SWAPPED", UNKNOWN = "UNKNOWN" }

/** The token's `sim_swap` claim: "swapped", "not_swapped" or "unknown". */
export const simSwapClaim = (result: SimSwapResult): string => result.toLowerCase();
