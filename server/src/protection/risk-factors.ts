import type { PumpFigures } from "./pump-step";

/**
 * Why a pumping block looks like fraud, as codes a dashboard can put into words (and a webhook
 * consumer can act on). Derived from the block's own figures, never from anything else.
 */
export type RiskFactor = "unverified_burst" | "no_conversion_history" | "number_range_abuse" | "ip_rotation" | "country_spike" | "country_rotation";

/** The rows' own view of the last hour behind a block (PumpingGuard reads it on the refusal path). */
export interface RowFigures { requestsLastHour: number; distinctNumbers: number; distinctIps: number; distinctPrefixes: number; distinctCountries: number }

/** Many numbers (or prefixes) and many IPs: what a rotation looks like; real users in one range are few. */
const MANY = 5;

export function riskFactors(f: PumpFigures, rows: RowFigures | null): RiskFactor[] {
  const out: RiskFactor[] = ["unverified_burst"];
  if (f.verified === 0) out.push("no_conversion_history");
  if (rows) {
    const spread = f.level === "prefix" ? rows.distinctNumbers : rows.distinctPrefixes;
    if (spread >= MANY) out.push("number_range_abuse");
    if (rows.distinctIps >= MANY && rows.distinctIps * 2 >= rows.requestsLastHour) out.push("ip_rotation");
  }
  if (f.level === "country" || f.level === "country_known") out.push("country_spike");
  if (rows && (f.level === "unproven" || f.level === "app") && rows.distinctCountries >= MANY) out.push("country_rotation");
  return out;
}

/** Each factor in plain words, for the dashboard and the CLI. */
export const RISK_FACTOR_TEXT: Record<RiskFactor, string> = {
  unverified_burst: "Many codes were sent that nobody has entered yet: more than this traffic's record of real users allows.",
  no_conversion_history: "No code sent here was entered in the last 24 hours: there is no record of real users.",
  number_range_abuse: "The codes went to many different numbers in one range (or many ranges of one country): pumpers rotate through numbers they are paid for.",
  ip_rotation: "The requests came from many different IP addresses, about one each: a sign of rotating proxies, not of users.",
  country_spike: "Unconfirmed sends across this country rose far above what real users there have shown.",
  country_rotation: "The unconfirmed codes went to numbers in many countries where this app has no verified users: a rotation across countries, which one shared budget holds.",
};
