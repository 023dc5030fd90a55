/**
 * An app's SIM-swap setting (AppSettings.simSwap): check every phone-channel request against
 * the operator's SIM-swap record of the last `maxAgeHours`, then `flag` the verification (the
 * code is sent; its risk, events and token say so) or `refuse` a swapped number outright.
 */
export interface SimSwapSettings {
  /** CAMARA's `maxAge`: 1 to 2400 hours. */
  maxAgeHours: number;
  action: SimSwapAction;
}
export type SimSwapAction = "flag" | "refuse";

export const SIM_SWAP_ACTIONS: readonly SimSwapAction[] = ["flag", "refuse"];
/** The range CAMARA SIM Swap's `maxAge` allows (an operator may allow less: it then answers 400 OUT_OF_RANGE, and the result is UNKNOWN). */
export const MAX_AGE_HOURS = { min: 1, max: 2400 } as const;

/** Problems with a simSwap setting, each starting with "simSwap" (the admin API's `field`); empty when it is fine. */
export function simSwapSettingsProblems(v: unknown): string[] {
  if (v === undefined) return [];
  if (v === null || typeof v !== "object" || Array.isArray(v)) return ['simSwap must be an object such as {"maxAgeHours": 24, "action": "flag"}'];
  const s = v as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(s).filter((k) => k !== "maxAgeHours" && k !== "action");
  if (unknown.length) problems.push(`simSwap has unknown key(s): ${unknown.join(", ")} (known: maxAgeHours, action)`);
  if (!Number.isInteger(s.maxAgeHours) || (s.maxAgeHours as number) < MAX_AGE_HOURS.min || (s.maxAgeHours as number) > MAX_AGE_HOURS.max) {
    problems.push(`simSwap.maxAgeHours must be a whole number of hours from ${MAX_AGE_HOURS.min} to ${MAX_AGE_HOURS.max}`);
  }
  if (!SIM_SWAP_ACTIONS.includes(s.action as SimSwapAction)) problems.push(`simSwap.action must be one of ${SIM_SWAP_ACTIONS.join(", ")}`);
  return problems;
}
