import type { AppSettings } from "../apps/app.entity";
import { limitsProblems } from "./abuse-settings";
import { safelistProblems } from "./safelist";
import { checkTestDestinations } from "./test-destinations";

export interface AbusePolicy {
  /** False under NODE_ENV=production unless ALLOW_TEST_DESTINATIONS=true. */
  allowTestDestinations: boolean;
}

/**
 * The abuse-related parts of an app's settings, checked when the app is saved (so a bad
 * value fails there, not at the first send): per-channel countries, limit overrides and test
 * destinations. Returns the problems, and the settings as they should be stored (countries
 * upper-cased, test destinations normalized).
 */
export function checkAbuseSettings(settings: AppSettings | null | undefined, codeLength: number, policy: AbusePolicy): { problems: string[]; settings: AppSettings } {
  const s: AppSettings = { ...(settings ?? {}) };
  const problems: string[] = [];
  if (s.voiceCountries !== undefined && s.voiceCountries !== null) {
    if (!Array.isArray(s.voiceCountries)) problems.push("voiceCountries must be a list of ISO 3166 alpha-2 codes");
    else {
      for (const c of s.voiceCountries) if (typeof c !== "string" || !/^[A-Za-z]{2}$/.test(c)) problems.push(`voice country "${c}" is not an ISO 3166 alpha-2 code`);
      s.voiceCountries = s.voiceCountries.map((c) => String(c).toUpperCase());
    }
  }
  problems.push(...limitsProblems(s.limits));
  problems.push(...safelistProblems(s.safelist));
  const tests = checkTestDestinations(s.testDestinations, codeLength, policy.allowTestDestinations);
  problems.push(...tests.problems);
  if (tests.normalized) s.testDestinations = tests.normalized;
  return { problems, settings: s };
}
